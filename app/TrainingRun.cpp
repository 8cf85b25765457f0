#include "TrainingRun.h"

#include <chrono>

#include <fmt/core.h>

#include "ComputeSetup.h"
#include "CorpusSummary.h"
#include "TrainingDisplay.h"
#include "io/AtomicFile.h"

namespace pianola::app {

train::TrainSummary run_training(const TrainingRequest& request) {
    const train::SeedRecipe& recipe = request.recipe;
    check_writable(request.out);
    const ComputeInfo compute = setup_compute(request.threads);

    const auto start = std::chrono::steady_clock::now();
    const music::Corpus corpus = music::load_seed_corpus(request.data, compute.threads);
    const train::TrainingSet set = train::make_training_set(corpus);
    print_corpus_summary(corpus, set.vocabulary.size(),
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    fmt::print("preset {}: {}x{} LSTM, dense {}, dropout {}, window {}, batch {}, {} epochs, lr {}; "
               "seed {}, {} threads\n",
               recipe.preset, recipe.model.layers, recipe.model.hidden, recipe.model.dense, recipe.model.dropout,
               recipe.window, recipe.batch, recipe.epochs, recipe.learning_rate, request.seed, compute.threads);

    TrainingDisplay display;
    const train::TrainJob job{request.out, recipe, request.seed, request.max_seconds,
                              [&](const train::StepReport& r) { display.step(r); },
                              [&](const train::EpochReport& r) { display.epoch(r); }};
    const train::TrainSummary s = train::train_seed(corpus, set, job);
    fmt::print("trained {} epochs on {} windows in {:.1f} s ({:.1f} samples/s){}; best loss {:.4f} at epoch {}; "
               "model written to {}\n",
               s.epochs, s.windows, s.seconds, s.samples_per_s,
               s.stopped_by_time ? ", stopped by the time budget" : "", s.best_loss, s.best_epoch,
               request.out.string());
    return s;
}

}  // namespace pianola::app
