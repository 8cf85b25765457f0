// One training run as the CLI shows it: load the corpus, report it and the recipe, train with a
// live display, report the result. Shared by `train` and `demo`; the recipe's type picks the
// trainer (the seed design's windows, or the default next-token training).
#pragma once

#include <cstdint>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "model/ModelFile.h"
#include "music/Tokenizer.h"
#include "train/DataParallel.h"
#include "train/LmRecipe.h"
#include "train/SeedRecipe.h"
#include "train/TrainingReport.h"

namespace pianola::app {

struct TrainingRequest {
    std::vector<std::filesystem::path> data;
    std::filesystem::path out;
    std::variant<train::SeedRecipe, train::LmRecipe> recipe;
    music::Tokenizer tokenizer = music::default_tokenizer();  // the seed recipe takes seed tokens only
    std::uint64_t seed = 1;
    std::uint64_t split_seed = 1;   // which pieces validate; `pianola baseline` uses the same
    int threads = 0;
    std::optional<double> pedalled_share;  // of the corpus' pieces, as surveyed: recorded for generate
    torch::Device device = torch::kCPU;  // where a next-token network trains (the seed recipe: the CPU)
    train::DataParallel* parallel = nullptr;  // this process' group in a data-parallel run; none: alone
    std::optional<std::filesystem::path> token_cache;  // the corpus' token cache folder; none: read every file
    double max_seconds = 0;
    // The most the decoding calibration after training may take; none: half the training's time,
    // at least default_calibration_seconds.
    std::optional<double> calibration_seconds;
    bool resume = false;
    // Set by SIGINT or SIGTERM (train_command): the next-token run ends as a spent budget ends it,
    // and the calibration after it takes at most stopped_calibration_seconds.
    const std::atomic<bool>* stop = nullptr;
    bool json = false;              // per-epoch JSON lines on stdout, the prose on stderr
    // Fine-tuning: the trained next-token model the run starts from (its file: init_file); the
    // recipe is then train::fine_tuning_recipe's and the tokenizer the base's.
    std::shared_ptr<const model::LoadedModel> init;
    std::filesystem::path init_file;
};

inline constexpr double default_calibration_seconds = 300;
inline constexpr double stopped_calibration_seconds = 60;  // who stopped a run wants its model soon

train::TrainSummary run_training(const TrainingRequest& request);

}  // namespace pianola::app
