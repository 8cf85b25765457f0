// Tokenizer: the tokenizer a corpus is read with and a model was trained on, chosen at run time:
// the seed design's (SeedTokenizer) or the timed one with its options (TimedTokenizer). Both
// tokenize Scores and transpose tokens alike, so corpus loading and augmentation never ask which
// one they hold. Decoding is not here: the two turn tokens into notes too differently (fixed
// half-beat steps against a grammar) for one signature, so composition picks by the alternative.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "music/SeedTokenizer.h"
#include "music/TimedTokenizer.h"

namespace pianola::music {

using Tokenizer = std::variant<SeedTokenizer, TimedTokenizer>;

// What new next-token models read unless told otherwise, chosen by measured bits per note (the
// README's tokenizer table). The seed presets always read seed tokens.
inline Tokenizer default_tokenizer() { return TimedTokenizer(); }

inline std::string_view tokenizer_name(const Tokenizer& tokenizer) {
    return std::visit([](const auto& t) { return t.name; }, tokenizer);
}

// The tokenizer and every option that changes its tokens, as one line ("timed grid=12 velocity=0
// time=bars", then " instruments=all", " sustain", " tempo" and " pedal" where they apply): what a token cache is keyed by.
inline std::string tokenizer_key(const Tokenizer& tokenizer) {
    const auto* timed = std::get_if<TimedTokenizer>(&tokenizer);
    if (!timed) return std::string(SeedTokenizer::name);
    const TimedOptions& o = timed->options();
    return std::string(TimedTokenizer::name) + " grid=" + std::to_string(o.steps_per_beat) +
           " velocity=" + std::to_string(o.velocity_levels) + " time=" + std::string(time_tokens_name(o.time)) +
           (o.instruments == Instruments::all ? " instruments=all" : "") + (o.sustain ? " sustain" : "") +
           (o.tempo ? " tempo" : "") + (o.pedal ? " pedal" : "");
}

inline std::vector<std::string> tokenize(const Tokenizer& tokenizer, const Score& score) {
    return std::visit([&](const auto& t) { return t.tokenize(score); }, tokenizer);
}

inline std::optional<std::string> transpose(const Tokenizer& tokenizer, std::string_view token, int semitones) {
    return std::visit([&](const auto& t) { return t.transpose(token, semitones); }, tokenizer);
}

}  // namespace pianola::music
