// FineTuning: the recipe `train --init BASE` goes on with from a trained next-token model, on a
// folder of the user's own: the base's network, sequence length, batch and augmentation, at a third
// of its learning rate (the weights already know music: a full-size step would first undo what they
// know) and with early stopping after 2 epochs without progress on the folder's held-out pieces (a
// small folder is learned by heart within a few epochs). The vocabulary grows by the tokens the
// folder needs (train/SequenceSet) and model/WeightTransfer carries the weights over.
// It does not train or load files.
#pragma once

#include "model/ModelFile.h"
#include "train/LmRecipe.h"

namespace pianola::train {

inline constexpr double fine_tuning_learning_rate_share = 1.0 / 3;
inline constexpr int fine_tuning_patience = 2;

// Throws std::invalid_argument for a seed-design base (the original design has no next-token
// network to go on from).
LmRecipe fine_tuning_recipe(const model::ModelInfo& base);

}  // namespace pianola::train
