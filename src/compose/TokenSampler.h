// TokenSampler: picks the next token from a model's logits: the argmax at temperature 0 (the
// original design), otherwise a draw from softmax(logits / temperature), cut to the k likeliest
// tokens (top-k) and to the fewest likeliest tokens whose probability reaches p (top-p, nucleus).
// Tokens whose logit is -infinity (forbidden by the grammar or the originality guard) are never
// drawn, so forbidding a token re-samples from the remaining probability mass. Shared by the
// windowed seed composer and the stateful composer so that both sample identically.
// It does not decide what is allowed; TokenRules and CopyGuard do.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace pianola::compose {

struct SamplingOptions {
    double temperature = 0;  // 0: argmax
    int top_k = 0;           // 0: no cut
    double top_p = 1;        // 1: no cut; in (0, 1]
};

class TokenSampler {
public:
    // Throws std::invalid_argument for a negative temperature or top-k, or top-p outside (0, 1].
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
