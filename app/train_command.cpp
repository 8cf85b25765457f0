// `pianola train`: reads a MIDI corpus, trains a model with a preset recipe (flags override its
// fields) and writes the model file at every best epoch.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "Commands.h"
#include "TrainingRun.h"

namespace pianola::app {

namespace {

struct TrainFlags {
    std::vector<std::filesystem::path> data;
    std::filesystem::path out;
    std::string preset = "seed";
    std::optional<int> epochs, layers, hidden, dense, window, batch;
    std::optional<double> dropout, learning_rate;
    std::uint64_t seed = 1;
    int threads = 0;
    double max_minutes = 0;
};

train::SeedRecipe recipe_from(const TrainFlags& f) {
    train::SeedRecipe r = train::seed_recipe(f.preset);
    if (f.epochs) r.epochs = *f.epochs;
    if (f.layers) r.model.layers = *f.layers;
    if (f.hidden) r.model.hidden = *f.hidden;
    if (f.dense) r.model.dense = *f.dense;
    if (f.window) r.window = *f.window;
    if (f.batch) r.batch = *f.batch;
    if (f.dropout) r.model.dropout = *f.dropout;
    if (f.learning_rate) r.learning_rate = *f.learning_rate;
    return r;
}

void run_train(const TrainFlags& flags) {
    run_training({flags.data, flags.out, recipe_from(flags), flags.seed, flags.threads, flags.max_minutes * 60.0});
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto flags = std::make_shared<TrainFlags>();
    CLI::App* cmd = app.add_subcommand("train", "Learn a model from folders of MIDI files.");
    cmd->add_option("--data", flags->data, "Folders (or files) of MIDI to learn from")->required()->expected(1, -1);
    cmd->add_option("--out", flags->out, "Model file to write")->required();
    cmd->add_option("--preset", flags->preset, "Recipe: seed (the original design), small, tiny")
        ->capture_default_str();
    cmd->add_option("--epochs", flags->epochs, "Override the preset's epochs")->check(CLI::Range(1, 100000));
    cmd->add_option("--batch", flags->batch, "Override the batch size")->check(CLI::Range(2, 65536));
    cmd->add_option("--layers", flags->layers, "Override the LSTM layer count")->check(CLI::Range(1, 16));
    cmd->add_option("--hidden", flags->hidden, "Override the LSTM size")->check(CLI::Range(1, 8192));
    cmd->add_option("--dense", flags->dense, "Override the dense layer size")->check(CLI::Range(1, 8192));
    cmd->add_option("--window", flags->window, "Override the window length in tokens")->check(CLI::Range(1, 100000));
    cmd->add_option("--dropout", flags->dropout, "Override the dropout rate")->check(CLI::Range(0.0, 0.95));
    cmd->add_option("--lr", flags->learning_rate, "Override the learning rate")->check(CLI::Range(1e-8, 10.0));
    cmd->add_option("--seed", flags->seed, "Random seed: same seed and threads, same model")->capture_default_str();
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_option("--max-minutes", flags->max_minutes, "Stop cleanly after this many minutes (0: no limit)")
        ->check(CLI::Range(0.0, 1e6));
    cmd->callback([flags] { run_train(*flags); });
}

}  // namespace pianola::app
