#include "TrainingRun.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/core.h>

#include "CompositionRun.h"
#include "ComputeSetup.h"
#include "CorpusSummary.h"
#include "TrainingDisplay.h"
#include "compose/DecodingCalibration.h"
#include "io/AtomicFile.h"
#include "model/ModelFile.h"
#include "music/Ensemble.h"
#include "runtime/Stopwatch.h"
#include "train/LmTrainer.h"
#include "train/PieceMemoryFit.h"
#include "train/SeedTrainer.h"
#include "train/SmallFolderCheck.h"

namespace pianola::app {

namespace {

train::TrainSummary run_seed(const TrainingRequest& request, const train::SeedRecipe& recipe,
                             const music::Corpus& corpus, double load_seconds, int threads) {
    if (request.resume) throw std::invalid_argument("--resume needs a next-token preset; the seed recipe starts afresh");
    if (request.json) throw std::invalid_argument("--json needs a next-token preset");
    if (!std::holds_alternative<music::SeedTokenizer>(corpus.tokenizer))
        throw std::invalid_argument("the seed recipe reads seed tokens only");
    const train::TrainingSet set = train::make_training_set(corpus);
    print_corpus_summary(corpus, set.vocabulary.size(), load_seconds);
    fmt::print("preset {}: {}x{} LSTM, dense {}, dropout {}, window {}, batch {}, {} epochs, lr {}; "
               "seed {}, {} threads\n",
               recipe.preset, recipe.model.layers, recipe.model.hidden, recipe.model.dense, recipe.model.dropout,
               recipe.window, recipe.batch, recipe.epochs, recipe.learning_rate, request.seed, threads);
    TrainingDisplay display("samples", false);
    const train::TrainJob job{request.out, recipe, request.seed, request.max_seconds,
                              [&](const train::StepReport& r) { display.step(r); },
                              [&](const train::EpochReport& r) { display.epoch(r); }};
    const train::TrainSummary s = train::train_seed(corpus, set, job);
    display.summary(s, request.out);
    return s;
}

// The one line that tells a user the folder is too small for the model, with the numbers.
void warn_small_folder(const TrainingRequest& request, const std::string& sign) {
    const std::string text = fmt::format("warning: the folder looks too small for this model: {}. Try --preset tiny or a "
                                         "smaller --hidden (--dim for the Transformer) and --layers, or add pieces", sign);
    fmt::print(request.json ? stderr : stdout, "{}\n", text);
    if (request.json) fmt::print("{}\n", nlohmann::json{{"warning", text}}.dump());
}

// The piece memory's weights (train::fit_piece_memory), fitted on the held-out pieces and kept in
// the model's training record for generate.
void fit_memory(const TrainingRequest& request, model::LoadedModel& model, const train::SequenceSet& set) {
    const auto start = Clock::now();
    const std::size_t n = train::memory_fit_pieces(set.validation);
    const std::vector<train::TokenIds> pieces(set.validation.begin(), set.validation.begin() + static_cast<std::ptrdiff_t>(n));
    std::int64_t notes = 0;
    for (std::size_t i = 0; i < n; ++i) notes += set.validation_piece_notes[i];
    const train::MemoryFit fit = train::fit_piece_memory(*std::get<model::NextTokenModel>(model.net), pieces, notes);
    model.info.training["memory"] = model::to_json(fit.weights);
    std::string mix;
    for (std::size_t b = 1; b < model::memory_buckets; ++b) mix += fmt::format("{}{:.2f}", b > 1 ? " " : "", fit.weights.mix[b]);
    const std::string gain = fit.mixed ? fmt::format("{:.3f} -> {:.3f} bits/note with it (cross-fitted on two halves)",
                                                     fit.network.bits_per_note(), fit.mixed->bits_per_note())
                                       : fmt::format("{:.3f} bits/note (too few pieces to measure the gain)",
                                                     fit.network.bits_per_note());
    if (fit.mixed) model.info.training["memory_bits_per_note"] = fit.mixed->bits_per_note();
    fmt::print(request.json ? stderr : stdout,
               "piece memory fitted in {:.1f} s on {}: {}; weight by longest match 1, 2-3, 4-7, ...: {}; sharpness {}\n",
               seconds_since(start),
               n < set.validation.size() ? fmt::format("{} of the {} held-out pieces", n, set.validation.size())
                                         : std::string("the held-out pieces"),
               gain, mix, fit.weights.sharpness);
}

// The top-p values and the piece memory's strength generation defaults to for this model
// (compose::calibrate_decoding), kept in its file with the distance they reached.
void calibrate_composing(const TrainingRequest& request, model::LoadedModel& model, const train::TrainSummary& trained) {
    const auto start = Clock::now();
    double budget = request.calibration_seconds.value_or(std::max(default_calibration_seconds, trained.seconds / 2));
    if (trained.stopped_by_request) budget = std::min(budget, stopped_calibration_seconds);
    const compose::DecodingCalibration c = compose::calibrate_decoding(model, default_temperature, budget);
    const compose::DecodingTrial& chosen = c.chosen;
    model.info.training["top_p"] = chosen.top_p;
    model.info.training["time_top_p"] = chosen.time_top_p;
    model.info.training["time_temperature"] = chosen.time_temperature;
    model.info.training["duration_top_p"] = chosen.duration_top_p;
    model.info.training["duration_temperature"] = chosen.duration_temperature;
    model.info.training["memory_strength"] = chosen.memory;
    model.info.training["key_pull"] = chosen.key_pull;
    model.info.training["calibration_distance"] = chosen.distance.total;
    model.info.training["piece_notes"] = c.notes;
    model.info.training["calibration_trials"] = c.tried.size();
    model.info.training["calibration_planned"] = c.planned;
    std::string tried;
    for (const compose::DecodingTrial& t : c.tried)
        tried += fmt::format(" {}/{}/{}/{}/{}/{}/{}:{:.3f}{}", t.top_p, t.time_top_p, t.time_temperature, t.memory, t.key_pull,
                             t.duration_temperature, t.duration_top_p, t.distance.total, t.repeats_more ? "(repeats)" : "");
    std::string features;
    for (const eval::FeatureDistance& f : chosen.distance.features) features += fmt::format(" {} {:.2f}", f.name, f.distance);
    fmt::print(request.json ? stderr : stdout,
               "composing calibrated in {:.1f} s{}: top-p {} for pitches and {} for time, time temperature {}, piece memory "
               "x{}, key pull {}, durations at temperature {} and top-p {}, give {} pieces of {} notes the distance {:.3f} "
               "to the held-out pieces{} (top-p pitch/top-p time/time temperature/memory/key/duration temperature/duration "
               "top-p:distance, (repeats) where the pieces repeat more than the held-out ones and rank after those that do "
               "not{}; by feature:{})\n",
               seconds_since(start),
               c.tried.size() < c.planned ? fmt::format(" ({} of {} settings: what fit its budget of {:.0f} s)",
                                                        c.tried.size(), c.planned, budget)
                                          : "",
               chosen.top_p, chosen.time_top_p, chosen.time_temperature, chosen.memory,
               chosen.key_pull, chosen.duration_temperature, chosen.duration_top_p, c.pieces, c.notes,
               chosen.distance.total, chosen.repeats_more ? ", repeating more than they do (as every setting tried)" : "", tried,
               features);
    if (2 * c.copying > c.pieces)
        warn_small_folder(request, fmt::format("{} of {} pieces composed to calibrate copy a run of over {} tokens, longer "
                                               "than any held-out piece shares with the training pieces",
                                               c.copying, c.pieces, c.longest_human_copy));
}

train::TrainSummary run_lm(const TrainingRequest& request, const train::LmRecipe& recipe,
                           music::Corpus corpus, double load_seconds, int threads) {
    std::FILE* text = request.json ? stderr : stdout;
    const train::PieceSplit split = train::split_pieces(corpus.pieces.size(), recipe.val_split, request.split_seed);
    train::SequenceSet set = train::make_sequence_set(corpus, split, recipe.transpose,
                                                      request.init ? &request.init->info.vocabulary : nullptr,
                                                      recipe.fill_rate > 0);
    if (recipe.fill_rate > 0 && !set.fill)
        throw std::invalid_argument("--fill-rate fills in bars: it needs timed tokens in bars (the default tokenizer)");
    print_corpus_summary(corpus, set.vocabulary.size(), load_seconds, text);
    if (request.init)
        fmt::print(text, "fine-tuning {}: its {} tokens and {} the folder adds\n", request.init_file.string(),
                   request.init->info.vocabulary.size(), set.vocabulary.size() - request.init->info.vocabulary.size());
    fmt::print(text,
               "{} pieces train ({} tokens), {} validate ({} tokens, {} notes); transposition +-{}{}\n"
               "preset {}: {}, {} rows x {} tokens, up to {} epochs, AdamW lr {}{} (halved after an epoch "
               "without progress, stop after {}); seed {}, {} threads{}\n",
               set.train.size(), set.train_tokens(), set.validation.size(), set.validation_tokens(),
               set.validation_notes, recipe.transpose,
               recipe.fill_rate > 0 ? fmt::format("; {:g}% of the pieces laid out each epoch to fill in the middle",
                                                  100 * recipe.fill_rate)
                                    : "",
               recipe.preset, train::network_description(recipe.model),
               request.parallel ? fmt::format("{} processes of {}", request.parallel->size(), recipe.batch)
                                : std::to_string(recipe.batch),
               recipe.seq, recipe.epochs, recipe.learning_rate,
               recipe.warmup > 0 ? fmt::format(" after {} warm-up steps", recipe.warmup) : "", recipe.patience,
               request.seed, threads, request.device.is_cpu() ? "" : ", on " + request.device.str());
    std::fflush(text);

    TrainingDisplay display("tokens", request.json);
    train::LmJob job;
    job.out = request.out;
    job.recipe = recipe;
    job.seed = request.seed;
    job.max_seconds = request.max_seconds;
    job.resume = request.resume;
    job.stop = request.stop;
    job.init = request.init.get();
    job.parallel = request.parallel;
    job.device = request.device;
    job.data_description = {{"files", corpus.pieces.size()},
                            {"skipped", corpus.skipped.size()},
                            {"train_pieces", set.train.size()},
                            {"validation_pieces", set.validation.size()},
                            {"train_tokens", set.train_tokens()},
                            {"validation_tokens", set.validation_tokens()},
                            {"validation_notes", set.validation_notes},
                            {"split_seed", request.split_seed}};
    if (request.pedalled_share) job.data_description["pedalled_share"] = *request.pedalled_share;
    const auto* timed = std::get_if<music::TimedTokenizer>(&corpus.tokenizer);
    if (timed && timed->options().instruments == music::Instruments::all)
        job.data_description["ensembles"] = music::ensemble_sizes(corpus);  // for generate (compose::ensemble_limit)
    if (request.init) job.data_description["init"] = request.init_file.string();
    corpus = {};  // the set holds what training reads: the corpus' ids go (100,000 files: 370 MB)
    job.on_step = [&](const train::StepReport& r) { display.step(r); };
    std::vector<train::EpochLosses> losses;
    bool warned = false;
    job.on_epoch = [&](const train::EpochReport& r) {
        display.epoch(r);
        if (!r.complete || !r.validation || warned) return;
        losses.push_back({r.epoch, r.loss, r.validation->nats_per_token()});
        if (const auto sign = train::overfitting(losses)) {
            warned = true;
            warn_small_folder(request, fmt::format("validation rose from {:.3f} (epoch {}) to {:.3f} (epoch {}) while training "
                                                   "fell from {:.3f} to {:.3f} nats/token, a gap of {:.3f}",
                                                   sign->best.validation, sign->best.epoch, sign->now.validation,
                                                   sign->now.epoch, sign->best.train, sign->now.train,
                                                   sign->now.validation - sign->now.train));
        }
    };
    const train::TrainSummary s = train::train_lm(set, job);
    set.train = {};  // trained: the training pieces go before the model and its guard index are loaded
    if (request.parallel && request.parallel->rank() > 0) return s;  // rank 0 fits and calibrates
    display.summary(s, request.out);
    if (request.parallel)
        fmt::print(text, "{} processes: {:.1f} of {:.1f} s in collectives on rank 0 ({:.0f}%, waiting for the others "
                         "included; {:.1f} s of it for the gradients' sums after the backward passes), {:.2f} MB of "
                         "gradients all-reduced per step\n",
                   request.parallel->size(), request.parallel->collective_seconds(), s.seconds,
                   100 * request.parallel->collective_seconds() / s.seconds, request.parallel->sum_wait_seconds(),
                   request.parallel->gradient_bytes() / 1e6);
    if (std::filesystem::exists(request.out) && !set.validation.empty()) {
        model::LoadedModel model = model::load_model(request.out);
        fit_memory(request, model, set);
        calibrate_composing(request, model, s);
        model::save_model(request.out, model.info, model::module_of(model.net));
    }
    return s;
}

}  // namespace

train::TrainSummary run_training(const TrainingRequest& request) {
    check_writable(request.out);
    const ComputeInfo compute = setup_compute(request.threads);
    const auto start = Clock::now();
    music::Corpus corpus = music::load_corpus(request.data, compute.threads, request.tokenizer, request.token_cache);
    const double load_seconds = seconds_since(start);
    if (const auto* seed = std::get_if<train::SeedRecipe>(&request.recipe))
        return run_seed(request, *seed, corpus, load_seconds, compute.threads);
    return run_lm(request, std::get<train::LmRecipe>(request.recipe), std::move(corpus), load_seconds, compute.threads);
}

}  // namespace pianola::app
