// TokenSampler: picks the next token from a model's logits: the argmax at temperature 0 (the
// original design), otherwise a draw from softmax(logits / temperature), cut to the k likeliest
// tokens (top-k) and to the fewest likeliest tokens whose probability reaches p (top-p, nucleus).
// Pitch tokens, time tokens and durations are cut apart, each class to its own nucleus within its
// own mass and at its own temperature: one top-p for both pitches and time, low enough to keep
// pieces in key, cut every less likely rhythm (on ff-piano top-p 0.4 left 2 distinct inter-onset
// intervals against the held-out pieces' 6), and one temperature of 0.8 left nottingham tunes an
// inter-onset entropy of 0.74 bits against 1.10. Durations are a class of their own because the
// cut that keeps onsets regular made every note one length: on ff-piano, at time temperature 0.8
// and time top-p 0.95, durations of 0.50 bits of entropy against the held-out pieces' 2.21. The
// draw between the classes keeps the model's odds (temperature 1), so neither a cut nor a
// temperature thins chords.
// Tokens whose logit is -infinity (forbidden by the grammar or the originality guard) are never
// drawn, so forbidding a token re-samples from the remaining probability mass. Shared by the
// windowed seed composer and the stateful composer so that both sample identically.
// It does not decide what is allowed; TokenRules and CopyGuard do.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::compose {

enum class TokenClass : std::uint8_t { pitch, time, duration };

struct SamplingOptions {
    double temperature = 0;  // 0: argmax
    int top_k = 0;           // 0: no cut
    double top_p = 1;        // 1: no cut; in (0, 1]. Pitch tokens, or every token of a seed-token model
    double time_top_p = 1;   // time tokens (bar, meter, position, shift), velocities and drums
    std::vector<TokenClass> classes{};  // by id; empty: every token is a pitch token (seed tokens)
    std::optional<double> time_temperature{};  // time tokens; none: `temperature`. Unused at temperature 0
    // Durations; none: the time tokens' values.
    std::optional<double> duration_temperature{}, duration_top_p{};
};

// The class of each of a vocabulary's ids under a timed tokenizer: durations; time tokens, which
// are every other token but pitches and programs (velocities and drums go with time: cutting them
// cuts dynamics and rhythm, not wrong notes; a program is what the next pitches sound on); pitches.
// Empty for seed tokens.
std::vector<TokenClass> token_classes(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary);

class TokenSampler {
public:
    // Throws std::invalid_argument for a negative temperature or top-k, a time or duration
    // temperature not above 0, or a top-p outside (0, 1].
    explicit TokenSampler(SamplingOptions options);
    const SamplingOptions& options() const { return options_; }

    // logits: V floats, at least one finite -> an id in [0, V). Without top-k or top-p it allocates
    // nothing; with them, only the first time (the candidate buffer is kept).
    std::int64_t operator()(std::span<const float> logits, std::mt19937_64& rng);

private:
    SamplingOptions options_;
    std::vector<std::pair<double, std::int64_t>> candidates_;  // (weight, id), likeliest first
};

}  // namespace pianola::compose
