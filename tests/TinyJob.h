// The next-token training job the training tests share: the tiny preset of an architecture (the
// LSTM unless told), transposition +-2, seed 5, no timed checkpoints, writing the model to `out`. Tests change the fields they test.
// And composing with the result in the plainest way: notes, no primer, no guard.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "compose/LmComposer.h"

#include "train/LmRecipe.h"
#include "train/LmTrainer.h"

namespace pianola::fixtures {

inline train::LmJob tiny_job(const std::filesystem::path& out, std::string_view architecture = "lstm") {
    train::LmJob job;
    job.out = out;
    job.recipe = train::lm_recipe("tiny", architecture);
    job.recipe.transpose = 2;
    job.seed = 5;
    job.checkpoint_seconds = 0;
    return job;
}

// count pieces of `notes` notes from seed, seed + 1, ... sampled at `temperature`.
inline std::vector<std::vector<std::string>> composed_tokens(model::LoadedModel& model, int notes, int count,
                                                             std::uint64_t seed, double temperature) {
    compose::ComposeOptions options;
    options.length.amount = notes;
    options.count = count;
    options.seed = seed;
    options.sampling.temperature = temperature;
    std::vector<std::vector<std::string>> pieces;
    for (auto& piece : compose::compose_lm(model, options, nullptr)) pieces.push_back(std::move(piece.tokens));
    return pieces;
}

}  // namespace pianola::fixtures
