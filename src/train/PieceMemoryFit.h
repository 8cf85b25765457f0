// PieceMemoryFit: chooses a model's piece-memory weights (model/PieceMemory) on its held-out
// pieces, after training: the sharpness from a few values and, for each bucket of match length,
// the mixing weight lambda that gives the held-out tokens the highest likelihood (EM on the
// two-component mixture, the network's probabilities fixed). Held-out pieces, not training
// pieces: on pieces it was trained on, the network is surer of itself than on new ones and the
// memory would look less useful than it is.
// It also measures what the memory is worth, honestly: the held-out pieces in two halves, each
// scored with the weights fitted on the other (cross-fitting), so no piece is scored by weights
// that saw it. It does not change the network.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "eval/CrossEntropy.h"
#include "model/NextTokenModel.h"
#include "model/PieceMemory.h"
#include "train/SequenceSet.h"

namespace pianola::train {

struct MemoryFit {
    model::MemoryWeights weights;            // fitted on all the pieces
    eval::CrossEntropy network;              // the network alone on the pieces
    std::optional<eval::CrossEntropy> mixed; // with the memory, cross-fitted; none with fewer than 2 pieces
};

// How many of the held-out `pieces` a fit reads: the first ones up to model::held_out_sample_tokens
// tokens in all, at least one (the fit reads each token through the network and keeps its
// probability under 5 sharpnesses).
std::size_t memory_fit_pieces(const std::vector<TokenIds>& pieces);

// pieces: held-out ids, piece start first; notes: the notes they hold (for bits per note).
MemoryFit fit_piece_memory(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces, std::int64_t notes);

}  // namespace pianola::train
