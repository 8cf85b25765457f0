// WeightTransfer: a trained network's weights copied into a fresh network of the same options but a
// vocabulary with more tokens, for fine-tuning (`train --init`). A tensor of the same shape in both
// is copied whole; one indexed by the vocabulary (the embedding, the output layer) is copied row by
// row through each token's new id, and a new token's row is the mean of the old rows: a token the
// network treats like an average one, not like noise. Which tensors those are is read off their
// shapes, so it holds for any next-token network without asking which one it is.
// It does not choose the vocabulary, and does not train.
//
// Shapes: V vocabulary (V_old in the trained network, V_new in the fresh one).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "music/Vocabulary.h"

namespace pianola::model {

// old_id[new id]: the id the token has in `trained`, or -1 for a token `trained` does not hold.
// Throws std::invalid_argument when `extended` lacks one of `trained`'s tokens.
std::vector<std::int64_t> old_ids(const music::Vocabulary& trained, const music::Vocabulary& extended);

// from: the trained network (vocabulary V_old), to: a fresh one (V_new = old_id.size()).
// Throws std::invalid_argument naming a tensor `from` lacks or that differs in more than its
// vocabulary rows.
void transfer_weights(const torch::nn::Module& from, torch::nn::Module& to, const std::vector<std::int64_t>& old_id);

}  // namespace pianola::model
