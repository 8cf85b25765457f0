// SeedComposer: the original design's generation. A random window of the training tokens primes
// the model; each new token is the argmax of its prediction (or, with a temperature above zero, a
// sample from it), appended, and the last T tokens are fed again (the whole window is re-run per
// token, as the original did: slow by design, kept as the baseline). The result is written as
// piano at 120 BPM, one onset every half beat.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "compose/TokenSampler.h"
#include "model/ModelFile.h"
#include "music/Score.h"

namespace pianola::compose {

struct SeedPiece {
    std::vector<std::string> primer;  // the T training tokens it started from
    std::vector<std::string> tokens;  // the composed tokens, primer excluded
};

// ids (at least `window` token ids) -> ids followed by `notes` more, each predicted from the last
// `window` ids scaled to id / vocab. The loop of compose_seed, and what `bench generate --mode window` times.
std::vector<std::int64_t> extend_window(model::SeedModel& net, std::vector<std::int64_t> ids, std::int64_t window,
                                        std::int64_t vocab, int notes, const SamplingOptions& sampling,
                                        std::mt19937_64& rng);

// notes >= 1. Temperature 0 takes the argmax, as the original did; a briefly trained model then
// tends to repeat one token. Above 0 it samples (TokenSampler, with top-k and top-p).
// Same model, notes, seed and sampling -> same piece.
SeedPiece compose_seed(model::LoadedModel& model, int notes, std::uint64_t seed, const SamplingOptions& sampling = {});

// Piano (program 0), 120 BPM unless told, onsets 0.5 beat apart, each 0.5 beat long, chords in octave 4.
music::Score seed_score(const std::vector<std::string>& tokens, std::uint32_t tempo_us = 500000);

}  // namespace pianola::compose
