// ComposeOrder: what the studio's page asks to compose, read from the form fields of a request and
// checked against the studio's limits, each bad field refused with a message that names it and its
// range (RequestError, 400). It only validates; composing is ComposeJobs' work, the primer's bytes
// are checked as MIDI by PrimerUpload, and a chord by music/ChordSymbol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "web/FormReading.h"
#include "web/ModelShelf.h"

namespace pianola::web {


struct ComposeLimits {
    // The length: at most one of the three; none: the model's own (the length it was calibrated at).
    Bounded<int> notes{1, 2000, std::nullopt};
    Bounded<int> bars{1, 500, std::nullopt};
    Bounded<double> seconds{1.0, 1200.0, std::nullopt};
    // Decoding, as `generate` takes it; none: the model's calibrated value (or its kind's default).
    Bounded<double> temperature{0.0, 5.0, std::nullopt};  // 0: the argmax
    Bounded<double> top_p{0.01, 1.0, std::nullopt};
    Bounded<double> time_temperature{0.01, 5.0, std::nullopt};
    Bounded<double> time_top_p{0.01, 1.0, std::nullopt};
    Bounded<double> duration_temperature{0.01, 5.0, std::nullopt};
    Bounded<double> duration_top_p{0.01, 1.0, std::nullopt};
    Bounded<double> memory{0.0, 2.0, std::nullopt};
    Bounded<double> key_pull{0.0, 10.0, std::nullopt};
    // Sound: none: the primer's tempo, else the model's; no program: the instruments the model
    // composed (the piano for a piano model).
    Bounded<double> tempo{10.0, 400.0, std::nullopt};
    Bounded<int> program{0, 127, std::nullopt};
    // As `generate` takes them: top-k 0 is all tokens; a copy limit of 0 is none, none is the
    // model's measured one; redraws of a piece caught in a loop.
    Bounded<int> top_k{0, 100000, 0};
    Bounded<int> max_copy{0, 1000000, std::nullopt};
    Bounded<int> redraw{0, 100, 0};
    std::size_t primer_bytes = std::size_t{1} << 20;
};

struct ComposeOrder {
    std::string model;                 // as listed by the shelf
    std::filesystem::path model_path;
    std::optional<int> notes, bars;    // at most one of these and seconds; none: the model's own length
    std::optional<double> seconds;
    std::optional<double> temperature; // none: the default for the model's kind
    std::optional<double> top_p;       // none: what `generate` takes for the model (its calibrated top-p)
    std::optional<double> time_temperature, time_top_p, duration_temperature, duration_top_p, memory,
        key_pull;  // none: as calibrated
    std::optional<double> tempo;       // beats per minute; none: the primer's, else the model's
    std::optional<int> program;        // General MIDI, every part but the drums; none: as composed
    int top_k = 0, redraw = 0;
    std::optional<int> max_copy;       // none: the model's measured limit
    std::uint64_t seed = 0;
    std::string primer;                // a MIDI file's bytes, checked; empty: no primer
    std::string chord;                 // a chord or key to start from ("Am", "D minor"), checked; empty: none
    bool cadence = true;               // a length in bars or seconds ends on the tonic chord
    std::optional<bool> bass_pedal;    // pedalled at its bass changes, or not; none: as the model's corpus is
    // Bars of the uploaded piece (`primer`'s bytes) to rewrite, 1-based, both included, instead of
    // composing after it; none: compose.
    std::optional<std::pair<int, int>> infill;
    std::string keep;                  // with infill: "rhythm" (only pitches drawn), "chords" (each bar's pitch classes) or empty
    bool accompany = false;            // keep the uploaded piece as the melody and compose the other parts around it
};


// Fields: model (required); notes, bars or seconds; temperature, top_p, time_temperature,
// time_top_p, duration_temperature, duration_top_p, memory, key_pull, tempo, program, top_k, max_copy, redraw (each absent or empty: the
// limits' initial value);
// seed (absent or empty: `fresh_seed`); primer or chord (absent or empty: none); ending, "cadence"
// (absent or empty too) or "open"; pedal, "bass" or "none" (absent or empty: as `generate` decides); infill, the bars of the primer to rewrite ("9-12" or "9"), with
// keep "rhythm", "chords" or empty; accompany, "melody" (the primer is a melody to compose parts around)
// or empty. Any other field is refused, so a misspelt one is not ignored; so are two lengths, a
// primer with a chord, with infill or accompany no primer, a length, a chord, max_copy or redraw,
// with accompany a tempo (the melody's file keeps its own), and infill with accompany.
ComposeOrder parse_compose_order(const FormFields& fields, const ModelShelf& shelf, const ComposeLimits& limits,
                                 std::uint64_t fresh_seed);

}  // namespace pianola::web
