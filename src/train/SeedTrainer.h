// SeedTrainer: the original design's training loop, top to bottom: shuffle every window of the
// corpus each epoch, minimize softmax cross-entropy on the next token with RMSprop, and write the
// model file whenever an epoch's loss is the best so far. A time budget stops it cleanly between
// two steps; a partial epoch then counts with the loss of the batches it ran.
// It does not validate or resume; the default (next-token) trainer is where those belong.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "music/Corpus.h"
#include "train/SeedRecipe.h"
#include "train/TrainingReport.h"
#include "train/TrainingSet.h"

namespace pianola::train {

struct TrainJob {
    std::filesystem::path out;        // the model file
    SeedRecipe recipe;
    std::uint64_t seed = 0;
    double max_seconds = 0;           // 0: no time budget
    std::function<void(const StepReport&)> on_step;
    std::function<void(const EpochReport&)> on_epoch;
};

// Trains a fresh SeedModel on the corpus and writes it to job.out at every new best epoch loss.
// Throws std::invalid_argument when the corpus is shorter than one window plus its target.
TrainSummary train_seed(const music::Corpus& corpus, const TrainingSet& set, const TrainJob& job);

}  // namespace pianola::train
