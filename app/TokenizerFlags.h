// The flags that choose a tokenizer, shared by `train`, `tokens` and `baseline` so that all three
// read a corpus the same way: --tokenizer seed|timed and the timed tokenizer's --grid,
// --velocity-levels, --time-tokens, --instruments, --pedal, --tempo-changes and --pedal-changes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "music/Tokenizer.h"

namespace pianola::app {

struct TokenizerFlags {
    std::optional<std::string> name;
    std::optional<int> grid, velocity_levels;
    std::optional<std::string> time_tokens, instruments;
    bool pedal = false;
    std::optional<std::string> tempo_changes, pedal_changes;  // keep or drop
};

void add_tokenizer_flags(CLI::App& cmd, TokenizerFlags& flags);

// The tokenizer the flags ask for; without --tokenizer, `fallback`. Throws std::invalid_argument
// for timed options given to the seed tokenizer.
music::Tokenizer tokenizer_from(const TokenizerFlags& flags, const music::Tokenizer& fallback);

// What a corpus in `data` is read with: the flags' tokenizer, and where it is timed, the velocity
// levels and tempo tokens that music::CorpusSurvey chooses for the corpus where --velocity-levels
// or --tempo-changes was not given; `chosen` says what was chosen and why (empty where nothing
// was), with how many pieces press the pedal where some do and no pedal flag was given. train,
// baseline, tokens and demo read a corpus through this, so they agree.
struct CorpusTokenizer {
    music::Tokenizer tokenizer;
    std::string chosen;
    std::optional<double> pedalled;  // the surveyed share of pieces that press the sustain pedal
};
CorpusTokenizer corpus_tokenizer(const TokenizerFlags& flags, const music::Tokenizer& fallback,
                                 const std::vector<std::filesystem::path>& data);

}  // namespace pianola::app
