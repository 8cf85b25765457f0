// Validation: scores a next-token model on held-out pieces. Every piece is read whole from its
// piece start with the state carried, the way generation reads, and every one of its tokens is
// one prediction; pieces run side by side as one padded batch, padding never scored.
// It does not train or change the model (it restores training mode when done).
#pragma once

#include <cstdint>
#include <vector>

#include "eval/CrossEntropy.h"
#include "model/LmModel.h"
#include "train/SequenceSet.h"

namespace pianola::train {

// pieces: each piece's ids, piece start first. chunk: tokens per forward call (memory bound only).
eval::CrossEntropy validate(model::LmModel& net, const std::vector<TokenIds>& pieces, std::int64_t chunk = 256);

}  // namespace pianola::train
