// LmTrainer: the default training loop, top to bottom, for any next-token network. Each epoch
// streams every training piece (at a random transposition) through the network, T tokens per step
// (an LSTM carries its state from step to step; a Transformer reads each chunk as its window), and
// learns the next token at every position with AdamW, a linear warm-up and gradient clipping. After each epoch
// it scores the held-out pieces, writes the model file when validation is the best so far,
// halves the learning rate when it is not, and stops after `patience` such epochs. A checkpoint
// beside the model (every epoch, every `checkpoint_seconds`, and at a budget stop) lets
// `resume` go on exactly where it stopped.
// It is not the seed design's loop (train/SeedTrainer is) and does not load or tokenize MIDI.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "model/ModelFile.h"
#include "train/DataParallel.h"
#include "train/LmRecipe.h"
#include "train/SequenceSet.h"
#include "train/TrainingReport.h"

namespace pianola::train {

struct LmJob {
    std::filesystem::path out;          // the model file; the checkpoint is checkpoint_path(out)
    LmRecipe recipe;
    std::uint64_t seed = 1;             // weights, data order, transpositions and dropout
    double max_seconds = 0;             // 0: no time budget
    std::int64_t max_steps = 0;         // 0: no step budget; counts the steps of this run only
    // Set from elsewhere (a signal's thread) to end the run at the next step as a spent budget
    // does: the checkpoint written, the best model kept. None: only the budgets end it early.
    const std::atomic<bool>* stop = nullptr;
    bool resume = false;                // go on from the checkpoint instead of starting afresh
    double checkpoint_seconds = 60;     // mid-epoch checkpoint interval
    nlohmann::json data_description;    // stored in the model file's "training" (files, skipped...)
    // Fine-tuning (train/FineTuning): the trained model whose weights a fresh run starts from; its
    // vocabulary must be within the set's. Its training pieces join the guard's.
    const model::LoadedModel* init = nullptr;
    // Data-parallel training: this process' group (train/DataParallel), or none for one process.
    // Each process then reads `recipe.batch` rows of a step of batch x size rows; rank 0 alone
    // validates, writes the model and the checkpoint (at epoch ends only: other ranks' carried
    // state is not in it, so --resume with any number of processes restarts an unfinished epoch)
    // and reports.
    DataParallel* parallel = nullptr;
    // Where the network trains. On a GPU the model file is still written from the CPU (any machine
    // loads it); the checkpoint resumes on any device, but dropout there draws from the GPU's
    // generator, which it does not hold, so a resumed GPU run is not bit for bit the one it continues.
    torch::Device device = torch::kCPU;
    std::function<void(const StepReport&)> on_step;
    std::function<void(const EpochReport&)> on_epoch;
};

// What must not change between a run and its resumption (the recipe but its epochs, the seed,
// the data's size); the checkpoint stores it and --resume compares.
nlohmann::json training_fingerprint(const SequenceSet& set, const LmJob& job);

// Throws std::invalid_argument for a set with no training token, FileError for a checkpoint
// that cannot be resumed.
TrainSummary train_lm(const SequenceSet& set, const LmJob& job);

}  // namespace pianola::train
