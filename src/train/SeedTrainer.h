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
#include "train/TrainingSet.h"

namespace pianola::train {

struct StepReport {
    int epoch = 0, epochs = 0;          // 1-based epoch
    std::int64_t step = 0, steps = 0;   // 1-based step within the epoch
    double loss = 0;                    // mean loss of the epoch so far
    double samples_per_s = 0;           // this epoch so far
};

struct EpochReport {
    int epoch = 0;
    double loss = 0;
    double seconds = 0;
    double samples_per_s = 0;
    bool complete = true;  // false: cut short by the time budget
    bool saved = false;    // the best loss so far: the model file was written
};

struct TrainJob {
    std::filesystem::path out;        // the model file
    SeedRecipe recipe;
    std::uint64_t seed = 0;
    double max_seconds = 0;           // 0: no time budget
    std::function<void(const StepReport&)> on_step;
    std::function<void(const EpochReport&)> on_epoch;
};

struct TrainSummary {
    int epochs = 0;          // epochs run, the last possibly partial
    int best_epoch = 0;
    double best_loss = 0;
    double seconds = 0;
    double samples_per_s = 0;
    std::int64_t windows = 0;
    bool stopped_by_time = false;
};

// Trains a fresh SeedModel on the corpus and writes it to job.out at every new best epoch loss.
// Throws std::invalid_argument when the corpus is shorter than one window plus its target.
TrainSummary train_seed(const music::Corpus& corpus, const TrainingSet& set, const TrainJob& job);

}  // namespace pianola::train
