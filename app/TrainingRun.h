// One training run as the CLI shows it: load the corpus, report it and the recipe, train with a
// live display, report the result. Shared by `train` and `demo`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "train/SeedTrainer.h"

namespace pianola::app {

struct TrainingRequest {
    std::vector<std::filesystem::path> data;
    std::filesystem::path out;
    train::SeedRecipe recipe;
    std::uint64_t seed = 1;
    int threads = 0;
    double max_seconds = 0;
};

train::TrainSummary run_training(const TrainingRequest& request);

}  // namespace pianola::app
