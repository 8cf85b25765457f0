// `pianola train`: reads a MIDI corpus, trains a model with a preset recipe (flags override its
// fields) and writes the model file. The default preset learns the next token at every position
// with validation on held-out pieces; `--preset seed` is the original design.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <fmt/core.h>

#include "Commands.h"
#include "LocalWorkers.h"
#include "StopSignals.h"
#include "TokenCacheFlags.h"
#include "TokenizerFlags.h"
#include "TrainingRun.h"
#include "model/ModelFile.h"
#include "runtime/Device.h"
#include "train/FineTuning.h"

namespace pianola::app {

namespace {

struct TrainFlags {
    std::vector<std::filesystem::path> data;
    std::filesystem::path out;
    std::string preset = "default";
    std::optional<int> epochs, layers, hidden, batch;
    std::optional<double> dropout, learning_rate;
    std::optional<int> dense, window;                        // seed presets
    std::optional<int> embed, seq, transpose, patience;      // next-token presets
    std::optional<std::string> arch;                         // none: lstm, or a fine-tuned base's
    std::optional<int> dim, heads, ff;                       // transformer
    bool no_bf16 = false;
    std::optional<double> val_split, fill_rate;
    std::string lstm = "fused";
    TokenizerFlags tokenizer;
    TokenCacheFlags cache;
    std::uint64_t seed = 1, split_seed = 1;
    int threads = 0;
    double max_minutes = 0;
    std::optional<double> calibration_minutes;
    bool resume = false, json = false;
    std::optional<std::filesystem::path> init;
    int nproc = 1;
    double dist_timeout = 60;
    double dist_bucket_mb = static_cast<double>(train::DataParallel::default_bucket_bytes) / (1 << 20);
    std::string device = "auto";
};

bool is_seed_preset(const std::string& preset) { return preset.rfind("seed", 0) == 0; }

template <typename T>
void refuse(const std::optional<T>& flag, const char* name, const char* kind) {
    if (flag) throw std::invalid_argument(std::string(name) + " applies to " + kind + " presets only");
}

train::SeedRecipe seed_recipe_from(const TrainFlags& f) {
    for (const auto& [flag, name] : {std::pair{f.embed, "--embed"}, {f.seq, "--seq"}, {f.transpose, "--transpose"},
                                     {f.patience, "--patience"}, {f.dim, "--dim"}, {f.heads, "--heads"}, {f.ff, "--ff"}})
        refuse(flag, name, "next-token");
    if (f.arch.value_or("lstm") != "lstm") throw std::invalid_argument("the seed presets are the original design's LSTM; --arch needs a next-token preset");
    refuse(f.val_split, "--val-split", "next-token");
    refuse(f.fill_rate, "--fill-rate", "next-token");
    train::SeedRecipe r = train::seed_recipe(f.preset);
    if (f.epochs) r.epochs = *f.epochs;
    if (f.layers) r.model.layers = *f.layers;
    if (f.hidden) r.model.hidden = *f.hidden;
    if (f.dense) r.model.dense = *f.dense;
    if (f.window) r.window = *f.window;
    if (f.batch) r.batch = *f.batch;
    if (f.dropout) r.model.dropout = *f.dropout;
    if (f.learning_rate) r.learning_rate = *f.learning_rate;
    r.model.fused_lstm = f.lstm == "fused";
    return r;
}

// The flags that set how a next-token network learns, not what it is.
void apply_training_flags(const TrainFlags& f, train::LmRecipe& r) {
    if (f.epochs) r.epochs = *f.epochs;
    if (f.batch) r.batch = *f.batch;
    if (f.learning_rate) r.learning_rate = *f.learning_rate;
    if (f.transpose) r.transpose = *f.transpose;
    if (f.patience) r.patience = *f.patience;
    if (f.val_split) r.val_split = *f.val_split;
    if (f.fill_rate) r.fill_rate = *f.fill_rate;
}

train::LmRecipe lm_recipe_from(const TrainFlags& f) {
    refuse(f.dense, "--dense", "seed");
    refuse(f.window, "--window", "seed");
    train::LmRecipe r = train::lm_recipe(f.preset, f.arch.value_or("lstm"));
    apply_training_flags(f, r);
    if (f.seq) r.seq = *f.seq;
    if (auto* lstm = std::get_if<model::LmModelOptions>(&r.model)) {
        for (const auto& [flag, name] : {std::pair{f.dim, "--dim"}, {f.heads, "--heads"}, {f.ff, "--ff"}})
            refuse(flag, name, "Transformer");
        if (f.no_bf16) throw std::invalid_argument("--no-bf16 applies to the Transformer only");
        if (f.layers) lstm->layers = *f.layers;
        if (f.hidden) lstm->hidden = *f.hidden;
        if (f.embed) lstm->embed = *f.embed;
        if (f.dropout) lstm->dropout = lstm->output_dropout = *f.dropout;
        lstm->fused_lstm = f.lstm == "fused";
        return r;
    }
    refuse(f.hidden, "--hidden", "LSTM");
    refuse(f.embed, "--embed", "LSTM");
    auto& t = std::get<model::TransformerOptions>(r.model);
    if (f.layers) t.layers = *f.layers;
    if (f.dim) t.dim = *f.dim;
    if (f.heads) t.heads = *f.heads;
    if (f.ff) t.ff = *f.ff;
    if (f.dropout) t.dropout = *f.dropout;
    if (t.dim % t.heads != 0)
        throw std::invalid_argument("--dim " + std::to_string(t.dim) + " is not a multiple of --heads " + std::to_string(t.heads));
    if (r.seq < 2) throw std::invalid_argument("--seq must be at least 2 for the Transformer");
    t.context = r.seq;  // the window it trains on is the one it attends over when composing
    t.bf16 = !f.no_bf16;
    return r;
}

// Fine-tuning keeps the base's network and tokenizer; only the training flags apply.
train::LmRecipe fine_tuning_recipe_from(const TrainFlags& f, const model::ModelInfo& base) {
    train::LmRecipe r = train::fine_tuning_recipe(base);
    if (f.preset != "default" || f.arch || f.no_bf16)
        throw std::invalid_argument("--init keeps the base model's network: --preset, --arch and --no-bf16 do not apply");
    for (const auto& [flag, name] : {std::pair{f.layers, "--layers"}, {f.hidden, "--hidden"}, {f.embed, "--embed"},
                                     {f.seq, "--seq"}, {f.dim, "--dim"}, {f.heads, "--heads"}, {f.ff, "--ff"},
                                     {f.dense, "--dense"}, {f.window, "--window"}})
        if (flag) throw std::invalid_argument(std::string("--init keeps the base model's network: ") + name + " does not apply");
    if (f.dropout) throw std::invalid_argument("--init keeps the base model's network: --dropout does not apply");
    const TokenizerFlags& t = f.tokenizer;
    if (t.name || t.grid || t.velocity_levels || t.time_tokens || t.instruments || t.pedal)
        throw std::invalid_argument("--init keeps the base model's tokenizer: the tokenizer flags do not apply");
    apply_training_flags(f, r);
    return r;
}

void run_train(const TrainFlags& flags) {
    if (flags.nproc > 1) {
        if (is_seed_preset(flags.preset)) throw std::invalid_argument("--nproc trains next-token models, not the seed presets");
        run_local_workers(flags.nproc, flags.threads);
        return;
    }
    // A worker of a data-parallel run (started by --nproc, torchrun or Slurm): rank 0 speaks for all.
    std::unique_ptr<train::DataParallel> parallel;
    if (const std::optional<train::WorldSpec> world = train::world_from_environment()) {
        if (is_seed_preset(flags.preset)) throw std::invalid_argument("data-parallel training is for next-token models, not the seed presets");
        if (world->rank > 0 && !std::freopen("/dev/null", "w", stdout))
            throw std::runtime_error("cannot silence rank " + std::to_string(world->rank));
        parallel = std::make_unique<train::DataParallel>(
            *world, std::chrono::milliseconds(static_cast<std::int64_t>(flags.dist_timeout * 1000)),
            static_cast<std::int64_t>(flags.dist_bucket_mb * (1 << 20)));
    }
    TrainingRequest request;
    request.parallel = parallel.get();
    request.data = flags.data;
    request.out = flags.out;
    if (flags.init) {
        request.init = std::make_shared<const model::LoadedModel>(model::load_model(*flags.init));
        request.init_file = *flags.init;
        request.recipe = fine_tuning_recipe_from(flags, request.init->info);
        request.device = training_device(flags.device, parallel ? parallel->local_rank() : 0);
        request.tokenizer = request.init->info.tokenizer;
        // The base's corpus, surveyed when it trained, still decides whether pieces are pedalled.
        if (request.init->info.training.contains("pedalled_share"))
            request.pedalled_share = request.init->info.training["pedalled_share"].get<double>();
    } else if (is_seed_preset(flags.preset)) {
        if (flags.device != "auto" && flags.device != "cpu")
            throw std::invalid_argument("--device " + flags.device + ": the seed presets train on the CPU");
        request.recipe = seed_recipe_from(flags);
        request.tokenizer = tokenizer_from(flags.tokenizer, music::SeedTokenizer());
        if (!std::holds_alternative<music::SeedTokenizer>(request.tokenizer))
            throw std::invalid_argument("the seed presets are the original design, on seed tokens; "
                                        "--tokenizer timed needs a next-token preset");
    } else {
        request.recipe = lm_recipe_from(flags);
        request.device = training_device(flags.device, parallel ? parallel->local_rank() : 0);
        const CorpusTokenizer corpus = corpus_tokenizer(flags.tokenizer, music::default_tokenizer(), flags.data);
        request.tokenizer = corpus.tokenizer;
        request.pedalled_share = corpus.pedalled;
        if (!corpus.chosen.empty() && !(parallel && parallel->rank() > 0))
            fmt::print(flags.json ? stderr : stdout, "{}\n", corpus.chosen);
    }
    request.seed = flags.seed;
    request.split_seed = flags.split_seed;
    request.threads = flags.threads;
    request.token_cache = token_cache_dir(flags.cache);
    request.max_seconds = flags.max_minutes * 60.0;
    if (flags.calibration_minutes) request.calibration_seconds = *flags.calibration_minutes * 60.0;
    request.resume = flags.resume;
    request.json = flags.json && !(parallel && parallel->rank() > 0);  // other ranks' prose goes where their stdout goes
    // Ctrl-C (or the studio's stop) ends a next-token run cleanly: best model kept, checkpoint
    // written for --resume. A second signal ends it at once.
    std::atomic<bool> stop_asked{false};
    std::optional<StopSignals> signals;
    if (std::holds_alternative<train::LmRecipe>(request.recipe)) {
        signals.emplace([&stop_asked] { stop_asked = true; });
        request.stop = &stop_asked;
    }
    if (run_training(request).stopped_by_budget && std::holds_alternative<train::LmRecipe>(request.recipe))
        fmt::print(request.json ? stderr : stdout, "to go on: the same command with --resume\n");
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto flags = std::make_shared<TrainFlags>();
    CLI::App* cmd = app.add_subcommand("train", "Learn a model from folders of MIDI files.");
    cmd->add_option("--data", flags->data, "Folders (or files) of MIDI to learn from")->required()->expected(1, -1);
    cmd->add_option("--out", flags->out, "Model file to write (its checkpoint goes beside it: OUT.checkpoint)")
        ->required();
    cmd->add_option("--preset", flags->preset,
                    "Recipe: default or tiny (next-token); seed (the original design), seed-small or seed-tiny")
        ->capture_default_str();
    cmd->add_option("--epochs", flags->epochs, "Override the preset's (most) epochs")->check(CLI::Range(1, 100000));
    cmd->add_option("--batch", flags->batch, "Override the batch size")->check(CLI::Range(2, 65536));
    cmd->add_option("--layers", flags->layers, "Override the LSTM's (or Transformer's) layer count")->check(CLI::Range(1, 16));
    cmd->add_option("--hidden", flags->hidden, "Override the LSTM size")->check(CLI::Range(1, 8192));
    cmd->add_option("--dropout", flags->dropout, "Override the dropout rate")->check(CLI::Range(0.0, 0.95));
    cmd->add_option("--lstm", flags->lstm,
                    "fused: pianola's LSTM; stock: libtorch's, on the same weights (slower; to compare)")
        ->check(CLI::IsMember({"fused", "stock"}))->capture_default_str();
    cmd->add_option("--arch", flags->arch,
                    "Next-token network: lstm (default) or transformer (Music Transformer, relative attention)")
        ->check(CLI::IsMember({"lstm", "transformer"}));
    cmd->add_option("--dim", flags->dim, "Transformer: width")->check(CLI::Range(2, 8192));
    cmd->add_option("--heads", flags->heads, "Transformer: attention heads (dividing --dim)")->check(CLI::Range(1, 256));
    cmd->add_option("--ff", flags->ff, "Transformer: feed-forward width")->check(CLI::Range(1, 65536));
    cmd->add_flag("--no-bf16", flags->no_bf16, "Transformer: float32 matrix products even where the CPU has bfloat16");
    cmd->add_option("--lr", flags->learning_rate, "Override the learning rate")->check(CLI::Range(1e-8, 10.0));
    cmd->add_option("--embed", flags->embed, "Next-token: embedding size")->check(CLI::Range(1, 8192));
    cmd->add_option("--seq", flags->seq, "Next-token: tokens per training chunk (the Transformer's context too)")->check(CLI::Range(1, 100000));
    cmd->add_option("--fill-rate", flags->fill_rate,
                    "Next-token: share of training pieces laid out to fill in the middle, for --infill (default 0: none)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--val-split", flags->val_split, "Next-token: share of pieces held out for validation")
        ->check(CLI::Range(0.0, 0.9));
    cmd->add_option("--split-seed", flags->split_seed, "Next-token: which pieces are held out")->capture_default_str();
    cmd->add_option("--transpose", flags->transpose, "Next-token: transpose pieces by up to +-N semitones (0: off)")
        ->check(CLI::Range(0, 12));
    cmd->add_option("--patience", flags->patience, "Next-token: epochs without progress before stopping")
        ->check(CLI::Range(1, 100000));
    add_tokenizer_flags(*cmd, flags->tokenizer);
    add_token_cache_flags(*cmd, flags->cache);
    cmd->add_option("--dense", flags->dense, "Seed: the dense layer size")->check(CLI::Range(1, 8192));
    cmd->add_option("--window", flags->window, "Seed: the window length in tokens")->check(CLI::Range(1, 100000));
    cmd->add_option("--seed", flags->seed, "Random seed: same seed and threads, same model")->capture_default_str();
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_option("--max-minutes", flags->max_minutes, "Stop cleanly after this many minutes (0: no limit)")
        ->check(CLI::Range(0.0, 1e6));
    cmd->add_option("--calibration-minutes", flags->calibration_minutes,
                    "Next-token: the most minutes the decoding calibration after training may take (default: half "
                    "the training time, at least 5); a shorter one tries fewer settings")
        ->check(CLI::Range(0.0, 1e6));
    cmd->add_option("--init", flags->init,
                    "Fine-tune: start from this trained next-token model (its network and tokenizer; a third of its "
                    "learning rate, early stopping after 2 epochs without progress; training flags still apply)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--nproc", flags->nproc,
                    "Next-token: train as N data-parallel worker processes on this machine (c10d over Gloo)")
        ->check(CLI::Range(1, 256))->capture_default_str();
    cmd->add_option("--dist-timeout", flags->dist_timeout,
                    "Data-parallel: seconds a worker waits for the others before it gives up (a worker lost)")
        ->check(CLI::Range(1.0, 86400.0))->capture_default_str();
    cmd->add_option("--dist-bucket-mb", flags->dist_bucket_mb,
                    "Data-parallel: MiB of gradients per all-reduce, each started as the backward pass fills it (as DDP's bucket_cap_mb)")
        ->check(CLI::Range(0.001, 1024.0))->capture_default_str();
    cmd->add_option("--device", flags->device,
                    "Next-token: cpu, cuda, cuda:N, or auto (a GPU where libtorch has CUDA and sees one, else the CPU)")
        ->capture_default_str();
    cmd->add_flag("--resume", flags->resume, "Next-token: go on from OUT.checkpoint exactly where it stopped");
    cmd->add_flag("--json", flags->json, "Next-token: one JSON line per epoch and a summary line on stdout");
    cmd->callback([flags] { run_train(*flags); });
}

}  // namespace pianola::app
