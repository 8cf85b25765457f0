// The next-token training job the training tests share: the tiny preset, transposition +-2,
// seed 5, no timed checkpoints, writing the model to `out`. Tests change the fields they test.
#pragma once

#include <filesystem>

#include "train/LmRecipe.h"
#include "train/LmTrainer.h"

namespace pianola::fixtures {

inline train::LmJob tiny_job(const std::filesystem::path& out) {
    train::LmJob job;
    job.out = out;
    job.recipe = train::lm_recipe("tiny");
    job.recipe.transpose = 2;
    job.seed = 5;
    job.checkpoint_seconds = 0;
    return job;
}

}  // namespace pianola::fixtures
