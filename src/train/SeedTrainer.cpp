#include "train/SeedTrainer.h"

#include <chrono>

#include "model/ModelFile.h"
#include "runtime/Stopwatch.h"
#include "train/WindowDataset.h"

namespace pianola::train {

struct EpochOutcome {
    double loss = 0;
    std::int64_t samples = 0;
    bool complete = true;
};

// One pass over every window in a fresh random order. BatchNorm cannot normalize a batch of
// one, so a final batch of a single window is left for the next epoch's shuffle.
static EpochOutcome train_epoch(model::SeedModel& net, torch::optim::Optimizer& optimizer,
                                const WindowDataset& data, const TrainJob& job, int epoch,
                                Clock::time_point deadline, bool has_deadline) {
    const std::int64_t n = data.size(), batch = job.recipe.batch;
    const std::int64_t usable = (n % batch == 1) ? n - 1 : n;
    const std::int64_t steps = (usable + batch - 1) / batch;
    const torch::Tensor order = torch::randperm(n, torch::kInt64);
    const auto start = Clock::now();

    net->train();
    EpochOutcome outcome;
    double loss_sum = 0;
    for (std::int64_t step = 0; step < steps; ++step) {
        const torch::Tensor starts = order.slice(0, step * batch, std::min(usable, (step + 1) * batch));
        const WindowBatch b = data.batch(starts);
        optimizer.zero_grad();
        const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(b.inputs), b.targets);
        loss.backward();
        optimizer.step();

        loss_sum += loss.item<double>() * static_cast<double>(starts.size(0));
        outcome.samples += starts.size(0);
        outcome.loss = loss_sum / static_cast<double>(outcome.samples);
        if (job.on_step)
            job.on_step({epoch, job.recipe.epochs, step + 1, steps, outcome.loss,
                         static_cast<double>(outcome.samples) / seconds_since(start)});
        if (has_deadline && Clock::now() >= deadline && step + 1 < steps) {
            outcome.complete = false;
            break;
        }
    }
    return outcome;
}

TrainSummary train_seed(const music::Corpus& corpus, const TrainingSet& set, const TrainJob& job) {
    torch::manual_seed(job.seed);
    const SeedRecipe& recipe = job.recipe;
    const auto vocab = static_cast<std::int64_t>(set.vocabulary.size());
    const WindowDataset data(set.ids, recipe.window, vocab);

    model::ModelInfo info;
    info.preset = recipe.preset;
    model::SeedModelOptions options = recipe.model;
    options.vocab = vocab;
    info.options = options;
    info.window = recipe.window;
    info.vocabulary = set.vocabulary;
    info.hyper = to_json(recipe);
    info.hyper["seed"] = job.seed;
    info.corpus_ids = set.ids;

    model::SeedModel net(options);
    torch::optim::RMSprop optimizer(net->parameters(),
                                    torch::optim::RMSpropOptions(recipe.learning_rate).alpha(0.9).eps(1e-7));

    TrainSummary summary;
    summary.examples = data.size();
    const auto start = Clock::now();
    const bool has_deadline = job.max_seconds > 0;
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(job.max_seconds));
    std::int64_t samples = 0;
    for (int epoch = 1; epoch <= recipe.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        const EpochOutcome outcome = train_epoch(net, optimizer, data, job, epoch, deadline, has_deadline);
        samples += outcome.samples;
        summary.epochs = epoch;

        EpochReport report;
        report.epoch = epoch;
        report.epochs = recipe.epochs;
        report.loss = outcome.loss;
        report.seconds = seconds_since(epoch_start);
        report.rate = static_cast<double>(outcome.samples) / report.seconds;
        report.learning_rate = recipe.learning_rate;
        report.eta_seconds = report.seconds * (recipe.epochs - epoch);
        report.complete = outcome.complete;
        if (summary.best_epoch == 0 || outcome.loss < summary.best_loss) {
            summary.best_epoch = epoch;
            summary.best_loss = outcome.loss;
            info.training = {{"epochs", epoch},
                             {"epoch_complete", outcome.complete},
                             {"loss", outcome.loss},
                             {"files", corpus.pieces.size()},
                             {"tokens", set.ids.size()},
                             {"windows", data.size()}};
            save_model(job.out, info, *net);
            report.saved = true;
        }
        if (job.on_epoch) job.on_epoch(report);
        if (!outcome.complete || (has_deadline && Clock::now() >= deadline)) {
            summary.stopped_by_budget = epoch < recipe.epochs;
            break;
        }
    }
    summary.seconds = seconds_since(start);
    summary.rate = static_cast<double>(samples) / summary.seconds;
    return summary;
}

}  // namespace pianola::train
