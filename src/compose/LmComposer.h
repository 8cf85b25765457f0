// LmComposer: generation with a next-token model, one token per step with the LSTM state carried
// (never a window re-run). A piece starts from the piece-start token, as every training piece
// did, so no training material is needed to prime it. The piece-start token itself is never
// emitted: a piece ends when it has its notes, not when the model would start another.
// Primers, top-k/top-p and the originality guard belong to the composing-well issue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/ModelFile.h"

namespace pianola::compose {

// notes >= 1; temperature 0 takes the argmax. Same model, notes, seed and temperature -> same tokens.
// Throws std::invalid_argument for a seed-design model or a vocabulary without a piece-start token.
std::vector<std::string> compose_lm(model::LoadedModel& model, int notes, std::uint64_t seed, double temperature);

}  // namespace pianola::compose
