// TrainingCheckpoint: everything a stopped next-token training needs to go on as if it had never
// stopped: the weights, the optimizer's moments and step counts, the random generator that
// drives dropout, the LSTM state carried into the next chunk, and where in which epoch it was
// (the epoch's data order is rebuilt from the seed). One file beside the model, written
// atomically, so a run killed at any moment leaves the previous checkpoint whole.
// It is not the model file: generation never reads it.
#pragma once

#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "model/NextTokenModel.h"

namespace pianola::train {

// Where training stands; saved in the checkpoint as JSON.
struct TrainingProgress {
    int epoch = 1;                      // the epoch to run or finish next
    std::int64_t step = 0;              // its next step
    double learning_rate = 0;
    // The plateau schedule sees epoch ends only, so a time-budget stop (which validates
    // mid-epoch) cannot change the schedule of a resumed run.
    double schedule_best = std::numeric_limits<double>::infinity();
    int bad_epochs = 0;
    double saved_best = std::numeric_limits<double>::infinity();  // the criterion of the saved model
    int saved_epoch = 0;
    nlohmann::json saved_validation;    // {nats, tokens} of the saved model, or null
    double epoch_loss_sum = 0;          // of the epoch in progress: nats summed over its tokens
    std::int64_t epoch_tokens = 0;
    std::int64_t steps_done = 0;        // optimizer steps over all epochs: the warm-up reads it
};

// Everything but the progress must already exist with the right shapes: a fresh network and
// optimizer built from the same recipe.
struct TrainingCheckpoint {
    TrainingProgress progress;
    nlohmann::json fingerprint;         // recipe and data that must match to resume
    model::CarriedState state;          // carried into the next step; undefined at an epoch start
};

std::filesystem::path checkpoint_path(const std::filesystem::path& model);

void save_checkpoint(const std::filesystem::path& path, const TrainingCheckpoint& checkpoint, torch::nn::Module& net,
                     torch::optim::Optimizer& optimizer);

// Loads into net and optimizer and restores the dropout generator. Throws FileError for a
// missing or damaged file, or one whose fingerprint differs from `fingerprint` (other data,
// other recipe), saying which.
TrainingCheckpoint load_checkpoint(const std::filesystem::path& path, const nlohmann::json& fingerprint,
                                   torch::nn::Module& net, torch::optim::Optimizer& optimizer);

}  // namespace pianola::train
