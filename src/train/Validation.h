// Validation: scores a next-token model on held-out pieces. Every piece is read from its piece
// start the way generation reads it, and every one of its tokens is one prediction; pieces run
// side by side as one padded batch, padding never scored. A recurrent network reads each piece
// whole with its state carried; a network with a context of C tokens reads windows of C that
// overlap by half, each token scored once, in the first window that gives it C / 2 tokens before
// it (or all there are), as generation's sliding cache would.
// It does not train or change the model (it restores training mode when done).
#pragma once

#include <cstdint>
#include <vector>

#include "eval/CrossEntropy.h"
#include "model/NextTokenModel.h"
#include "train/SequenceSet.h"

namespace pianola::train {

// pieces: each piece's ids, piece start first. chunk: tokens per forward call of a recurrent
// network (memory bound only).
eval::CrossEntropy validate(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces, std::int64_t chunk = 256);

// The same predictions one by one: [piece][i] = -ln p(piece[i + 1] | piece[0..i]), what the piece
// memory's fit (train/PieceMemoryFit) mixes with its own votes.
std::vector<std::vector<float>> token_nats(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces,
                                           std::int64_t chunk = 256);

}  // namespace pianola::train
