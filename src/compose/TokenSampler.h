// TokenSampler: picks the next token from a model's logits: the argmax at temperature 0 (the
// original design), otherwise a draw from softmax(logits / temperature). Shared by the windowed
// seed composer and the stateful composer so that both sample identically.
// Top-k, top-p and re-sampling rules belong to the composing-well issue, not here yet.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace pianola::compose {

// logits: V floats -> an id in [0, V). It allocates nothing: batched generation calls it once per
// piece and token.
std::int64_t sample_token(std::span<const float> logits, double temperature, std::mt19937_64& rng);

}  // namespace pianola::compose
