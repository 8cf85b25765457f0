// The flags that choose a tokenizer, shared by `train`, `tokens` and `baseline` so that all three
// read a corpus the same way: --tokenizer seed|timed and the timed tokenizer's --grid,
// --velocity-levels, --time-tokens, --instruments and --pedal.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "music/Tokenizer.h"

namespace pianola::app {

struct TokenizerFlags {
    std::optional<std::string> name;
    std::optional<int> grid, velocity_levels;
    std::optional<std::string> time_tokens, instruments;
    bool pedal = false;
};

void add_tokenizer_flags(CLI::App& cmd, TokenizerFlags& flags);

// The tokenizer the flags ask for; without --tokenizer, `fallback`. Throws std::invalid_argument
// for timed options given to the seed tokenizer.
music::Tokenizer tokenizer_from(const TokenizerFlags& flags, const music::Tokenizer& fallback);

}  // namespace pianola::app
