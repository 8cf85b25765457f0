#include "train/LmTrainer.h"

#include <optional>
#include <tuple>

#include "io/FileError.h"
#include "model/ModelFile.h"
#include "model/WeightTransfer.h"
#include "runtime/Compute.h"
#include "runtime/Stopwatch.h"
#include "train/EpochStreams.h"
#include "train/GradientReducer.h"
#include "train/TrainingCheckpoint.h"
#include "train/Validation.h"

namespace pianola::train {

namespace {

// The rows of a step over all data-parallel processes.
std::int64_t global_batch(const LmJob& job) { return job.recipe.batch * (job.parallel ? job.parallel->size() : 1); }

model::ModelInfo model_info(const SequenceSet& set, const LmJob& job, const model::NextTokenOptions& options) {
    model::ModelInfo info;
    info.tokenizer = set.tokenizer;
    info.tempo_us = set.tempo_us;
    info.preset = job.recipe.preset;
    info.options = model::network_options(options);
    info.window = job.recipe.seq;
    info.vocabulary = set.vocabulary;
    info.hyper = to_json(job.recipe);
    info.hyper["batch"] = global_batch(job);
    info.hyper["seed"] = job.seed;
    for (const TokenIds& ids : set.train) info.corpus_ids.insert(info.corpus_ids.end(), ids.begin(), ids.end());
    for (const TokenIds& ids : set.validation) info.held_out_ids.insert(info.held_out_ids.end(), ids.begin(), ids.end());
    // A fine-tuned model must not copy its base's pieces either: the guard indexes them too, in the
    // set's ids (the base's vocabulary is within the set's).
    if (job.init) {
        const music::Vocabulary& base = job.init->info.vocabulary;
        std::vector<std::int64_t> new_id(base.size());
        for (std::size_t id = 0; id < base.size(); ++id) new_id[id] = set.vocabulary.id(base.token(static_cast<std::int64_t>(id)));
        for (const std::int64_t id : job.init->info.corpus_ids) info.corpus_ids.push_back(new_id[static_cast<std::size_t>(id)]);
    }
    return info;
}

model::CarriedState detached(const model::CarriedState& state) {
    if (!std::get<0>(state).defined()) return state;
    return {std::get<0>(state).detach(), std::get<1>(state).detach()};
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
    for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(learning_rate);
}

// The model file holds CPU tensors, so that any machine loads it: a network on a GPU visits the CPU
// to be written (Module::to keeps each parameter's identity, so the optimizer still holds them).
void save_from_cpu(const std::filesystem::path& out, const model::ModelInfo& info, torch::nn::Module& net,
                   torch::Device device) {
    if (device.is_cpu()) return model::save_model(out, info, net);
    net.to(torch::kCPU);
    model::save_model(out, info, net);
    net.to(device);
}

nlohmann::json validation_json(const eval::CrossEntropy& ce) {
    return {{"nats", ce.nats}, {"tokens", ce.tokens}, {"notes", ce.notes}};
}

}  // namespace

nlohmann::json training_fingerprint(const SequenceSet& set, const LmJob& job) {
    nlohmann::json recipe = to_json(job.recipe);
    recipe.erase("epochs");
    recipe["batch"] = global_batch(job);  // so that a run resumes with any number of processes
    return {{"recipe", recipe},
            {"tokenizer", music::tokenizer_name(set.tokenizer)},
            {"tokenizer_options", model::tokenizer_options(set.tokenizer)},
            {"seed", job.seed},
            {"vocab", set.vocabulary.size()},
            {"train_tokens", set.train_tokens()},
            {"validation_tokens", set.validation_tokens()}};
}

TrainSummary train_lm(const SequenceSet& set, const LmJob& job) {
    const LmRecipe& recipe = job.recipe;
    torch::manual_seed(job.seed);
    model::NextTokenOptions options = recipe.model;
    const auto V = static_cast<std::int64_t>(set.vocabulary.size());
    std::visit([V](auto& o) { o.vocab = V; }, options);
    const model::NextTokenModel net = model::make_next_token_model(options);
    if (job.init && !job.resume)
        model::transfer_weights(*std::get<model::NextTokenModel>(job.init->net), *net,
                                model::old_ids(job.init->info.vocabulary, set.vocabulary));
    net->to(job.device);
    const RowShare share = job.parallel ? RowShare{job.parallel->rank(), job.parallel->size()} : RowShare{};
    const bool writer = share.index == 0;  // validates, writes and reports
    // Every process starts from the same weights; each draws its own dropout masks.
    const auto own_dropout = [&](std::int64_t steps_done) {
        if (share.index > 0) torch::manual_seed(job.seed + static_cast<std::uint64_t>(steps_done) * 1'000'003u + static_cast<std::uint64_t>(share.index));
    };
    own_dropout(0);
    const LibtorchThreads pool(net->training_threads());
    torch::optim::AdamW optimizer(net->parameters(),
                                  torch::optim::AdamWOptions(recipe.learning_rate).weight_decay(recipe.weight_decay));
    model::ModelInfo info = model_info(set, job, options);
    const nlohmann::json fingerprint = training_fingerprint(set, job);
    const std::filesystem::path checkpoint_file = checkpoint_path(job.out);

    TrainingCheckpoint checkpoint;
    checkpoint.fingerprint = fingerprint;
    checkpoint.progress.learning_rate = recipe.learning_rate;
    if (job.resume) {
        if (!std::filesystem::exists(checkpoint_file))
            throw FileError(checkpoint_file.string(), "no checkpoint to resume from");
        checkpoint = load_checkpoint(checkpoint_file, fingerprint, *net, optimizer);
        if (share.count > 1) {
            own_dropout(checkpoint.progress.steps_done);
            // Only rank 0's carried state was saved (if one process wrote it, a different number of
            // rows'): the unfinished epoch starts again.
            checkpoint.progress.step = 0;
            checkpoint.progress.epoch_loss_sum = 0;
            checkpoint.progress.epoch_tokens = 0;
            checkpoint.state = {};
        }
    }
    TrainingProgress& progress = checkpoint.progress;
    model::CarriedState& state = checkpoint.state;
    // The learning rate of the next step: the schedule's, scaled down during the warm-up.
    const auto learning_rate = [&] {
        if (progress.steps_done >= recipe.warmup) return progress.learning_rate;
        return progress.learning_rate * static_cast<double>(progress.steps_done + 1) / static_cast<double>(recipe.warmup);
    };

    // With several processes, each bucket of gradients is summed as soon as the backward pass makes it.
    std::optional<GradientReducer> reducer;
    if (job.parallel) reducer.emplace(*job.parallel, net->parameters(), job.parallel->bucket_bytes());

    TrainSummary summary;
    summary.examples = set.train_tokens();
    const auto start = Clock::now();
    auto last_checkpoint = start;
    std::int64_t run_steps = 0, run_tokens = 0;
    bool budget_spent = false;
    const auto out_of_budget = [&] {
        return (job.max_steps > 0 && run_steps >= job.max_steps) ||
               (job.max_seconds > 0 && seconds_since(start) >= job.max_seconds) || (job.stop && *job.stop);
    };

    while (progress.epoch <= recipe.epochs && progress.bad_epochs < recipe.patience && !budget_spent) {
        const auto epoch_start = Clock::now();
        const EpochStreams data(set, recipe.batch * share.count, recipe.seq, job.seed, progress.epoch, share,
                                recipe.fill_rate);
        const std::int64_t epoch_start_tokens = progress.epoch_tokens;
        net->train();
        while (progress.step < data.steps()) {
            const StreamBatch batch = data.batch(progress.step);
            optimizer.zero_grad();
            set_learning_rate(optimizer, learning_rate());
            auto [logits, next] = net->forward(batch.inputs.to(job.device), detached(state));  // (B, T, V)
            const torch::Tensor loss = torch::nn::functional::cross_entropy(
                logits.reshape({-1, V}), batch.targets.to(job.device).reshape(-1));
            loss.backward();
            if (reducer) reducer->average();
            torch::nn::utils::clip_grad_norm_(net->parameters(), recipe.clip_norm);
            optimizer.step();
            state = detached(next);

            // Counted for all processes: each read as many tokens.
            const std::int64_t tokens = batch.targets.numel() * share.count;
            ++progress.step;
            ++progress.steps_done;
            ++run_steps;
            run_tokens += tokens;
            double step_loss = loss.item<double>();
            budget_spent = out_of_budget();
            if (job.parallel) std::tie(step_loss, budget_spent) = job.parallel->mean_loss_and_any_stop(step_loss, budget_spent);
            progress.epoch_loss_sum += step_loss * static_cast<double>(tokens);
            progress.epoch_tokens += tokens;
            if (job.on_step && writer)
                job.on_step({progress.epoch, recipe.epochs, progress.step, data.steps(),
                             progress.epoch_loss_sum / static_cast<double>(progress.epoch_tokens),
                             static_cast<double>(progress.epoch_tokens - epoch_start_tokens) / seconds_since(epoch_start)});
            if (budget_spent && progress.step < data.steps()) break;
            if (job.checkpoint_seconds > 0 && share.count == 1 && seconds_since(last_checkpoint) >= job.checkpoint_seconds &&
                progress.step < data.steps()) {
                save_checkpoint(checkpoint_file, checkpoint, *net, optimizer);
                last_checkpoint = Clock::now();
            }
        }
        const bool complete = progress.step == data.steps();
        const double train_seconds = seconds_since(epoch_start);
        const auto trained_tokens = static_cast<double>(progress.epoch_tokens - epoch_start_tokens);

        EpochReport report;
        report.epoch = progress.epoch;
        report.epochs = recipe.epochs;
        report.loss = progress.epoch_tokens > 0 ? progress.epoch_loss_sum / static_cast<double>(progress.epoch_tokens) : 0;
        report.learning_rate = progress.learning_rate;
        report.complete = complete;
        if (!set.validation.empty() && writer) {
            report.validation = validate(*net, set.validation, recipe.seq * 4);
            report.validation->notes = set.validation_notes;
        }
        double criterion = report.validation ? report.validation->nats_per_token() : report.loss;
        if (job.parallel) criterion = job.parallel->from_rank0(criterion);
        if (criterion < progress.saved_best) {
            progress.saved_best = criterion;
            progress.saved_epoch = progress.epoch;
            progress.saved_validation = report.validation ? validation_json(*report.validation) : nlohmann::json();
            info.training = nlohmann::json(job.data_description);
            info.training["epoch"] = progress.epoch;
            info.training["epoch_complete"] = complete;
            info.training["loss"] = report.loss;
            info.training["validation"] = progress.saved_validation;
            if (report.validation) {
                info.training["validation_bits_per_token"] = report.validation->bits_per_token();
                info.training["validation_bits_per_note"] = report.validation->bits_per_note();
            }
            if (writer) save_from_cpu(job.out, info, *net, job.device);
            report.saved = writer;
        }
        if (complete) {
            if (criterion < progress.schedule_best) {
                progress.schedule_best = criterion;
                progress.bad_epochs = 0;
            } else {
                ++progress.bad_epochs;
                progress.learning_rate *= recipe.lr_decay;
            }
            ++progress.epoch;
            progress.step = 0;
            progress.epoch_loss_sum = 0;
            progress.epoch_tokens = 0;
            state = {};
        }
        if (writer && (complete || share.count == 1)) save_checkpoint(checkpoint_file, checkpoint, *net, optimizer);
        last_checkpoint = Clock::now();

        report.seconds = seconds_since(epoch_start);
        report.rate = trained_tokens / train_seconds;
        report.eta_seconds = report.seconds * (recipe.epochs - report.epoch);
        summary.epochs = report.epoch;
        if (job.on_epoch && writer) job.on_epoch(report);
    }
    summary.stopped_early = progress.bad_epochs >= recipe.patience;
    summary.stopped_by_budget = budget_spent && progress.epoch <= recipe.epochs && !summary.stopped_early;
    summary.stopped_by_request = summary.stopped_by_budget && job.stop && *job.stop;
    summary.best_epoch = progress.saved_epoch;
    summary.best_loss = progress.saved_best;
    if (!progress.saved_validation.is_null())
        summary.best_validation = eval::CrossEntropy{progress.saved_validation.at("nats"),
                                                     progress.saved_validation.at("tokens"),
                                                     progress.saved_validation.value("notes", std::int64_t{0})};
    summary.seconds = seconds_since(start);
    summary.rate = static_cast<double>(run_tokens) / summary.seconds;
    return summary;
}

}  // namespace pianola::train
