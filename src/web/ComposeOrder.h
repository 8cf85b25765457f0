// ComposeOrder: what the studio's page asks to compose, read from the form fields of a request and
// checked against the studio's limits, each bad field refused with a message that names it and its
// range (RequestError, 400). It only validates; composing is ComposeJobs' work, and the primer's
// bytes are checked as MIDI by PrimerUpload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "web/ModelShelf.h"

namespace pianola::web {

template <typename T>
struct Bounded {
    T min, max;
    std::optional<T> initial;  // the page's starting value and what an absent or empty field means; none: the model's own
};

struct ComposeLimits {
    Bounded<int> notes{1, 2000, 200};
    Bounded<double> temperature{0.0, 5.0, std::nullopt};  // 0: the argmax
    Bounded<double> top_p{0.01, 1.0, std::nullopt};
    std::size_t primer_bytes = std::size_t{1} << 20;
};

struct ComposeOrder {
    std::string model;                 // as listed by the shelf
    std::filesystem::path model_path;
    int notes = 0;
    std::optional<double> temperature; // none: the default for the model's kind
    std::optional<double> top_p;       // none: what `generate` takes for the model (its calibrated top-p)
    std::uint64_t seed = 0;
    std::string primer;                // a MIDI file's bytes, checked; empty: no primer
};

// Field name -> value; an uploaded file's value is its bytes.
using FormFields = std::map<std::string, std::string>;

// Fields: model (required), notes, temperature, top_p (absent or empty: the limits' initial value),
// seed (absent or empty: `fresh_seed`), primer (absent or empty: none). Any other field is refused,
// so a misspelt one is not ignored.
ComposeOrder parse_compose_order(const FormFields& fields, const ModelShelf& shelf, const ComposeLimits& limits,
                                 std::uint64_t fresh_seed);

}  // namespace pianola::web
