// `pianola baseline`: the count-based yardstick. Fits interpolated Kneser-Ney n-gram models of
// orders 1..N on exactly the training pieces, transpositions and vocabulary that `pianola train`
// uses with the same --tokenizer, --val-split, --split-seed and --transpose, and prints each
// order's validation bits per token and per note. An LSTM that does not beat the best row has
// learned nothing a counter could not.
#include <filesystem>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ComputeSetup.h"
#include "CorpusSummary.h"
#include "TokenCacheFlags.h"
#include "TokenizerFlags.h"
#include "eval/NGramModel.h"
#include "runtime/Stopwatch.h"
#include "train/LmRecipe.h"
#include "train/SequenceSet.h"

namespace pianola::app {

namespace {

struct BaselineFlags {
    std::vector<std::filesystem::path> data;
    TokenizerFlags tokenizer;
    TokenCacheFlags cache;
    int order = 5;
    double val_split = train::lm_recipe("default").val_split;
    std::uint64_t split_seed = 1;
    int transpose = train::lm_recipe("default").transpose;
    int threads = 0;
    bool json = false;
};

void run_baseline(const BaselineFlags& flags) {
    if (flags.val_split <= 0) throw std::invalid_argument("--val-split must hold out some pieces to score");
    const ComputeInfo compute = setup_compute(flags.threads);
    const auto start = Clock::now();
    const music::Corpus corpus =
        music::load_corpus(flags.data, compute.threads, corpus_tokenizer(flags.tokenizer, music::default_tokenizer(), flags.data).tokenizer,
                           token_cache_dir(flags.cache));
    const train::PieceSplit split = train::split_pieces(corpus.pieces.size(), flags.val_split, flags.split_seed);
    const train::SequenceSet set = train::make_sequence_set(corpus, split, flags.transpose);
    std::FILE* text = flags.json ? stderr : stdout;
    print_corpus_summary(corpus, set.vocabulary.size(), seconds_since(start), text);

    std::vector<train::TokenIds> training;
    for (std::size_t piece = 0; piece < set.train.size(); ++piece)
        for (int shift : set.train_shifts[piece]) training.push_back(set.transposed(piece, shift));
    fmt::print(text,
               "{} pieces train ({} tokens, {} sequences with transpositions up to +-{}), {} validate ({} tokens, {} notes)\n",
               set.train.size(), set.train_tokens(), training.size(), flags.transpose, set.validation.size(),
               set.validation_tokens(), set.validation_notes);
    if (!flags.json) fmt::print("order  bits/token  bits/note  perplexity  seconds\n");

    for (int order = 1; order <= flags.order; ++order) {
        const auto fit_start = Clock::now();
        eval::NGramModel model(order, static_cast<std::int64_t>(set.vocabulary.size()), set.piece_start);
        model.fit(training);
        eval::CrossEntropy ce = model.cross_entropy(set.validation);
        ce.notes = set.validation_notes;
        const double seconds = seconds_since(fit_start);
        if (flags.json)
            fmt::print("{}\n", nlohmann::json{{"baseline", "kneser-ney"},
                                              {"order", order},
                                              {"bits_per_token", ce.bits_per_token()},
                                              {"bits_per_note", ce.bits_per_note()},
                                              {"nats_per_token", ce.nats_per_token()},
                                              {"perplexity", ce.perplexity()},
                                              {"validation_tokens", ce.tokens},
                                              {"vocab", set.vocabulary.size()},
                                              {"transpose", flags.transpose},
                                              {"seconds", seconds}}
                                   .dump());
        else
            fmt::print("{:>5}  {:>10.4f}  {:>9.3f}  {:>10.2f}  {:>7.2f}\n", order, ce.bits_per_token(), ce.bits_per_note(),
                       ce.perplexity(), seconds);
        std::fflush(stdout);
    }
}

}  // namespace

void add_baseline_command(CLI::App& app) {
    auto flags = std::make_shared<BaselineFlags>();
    CLI::App* cmd = app.add_subcommand(
        "baseline", "Validation bits per token and note of Kneser-Ney n-gram models, on the split `train` uses.");
    cmd->add_option("--data", flags->data, "Folders (or files) of MIDI")->required()->expected(1, -1);
    add_tokenizer_flags(*cmd, flags->tokenizer);
    add_token_cache_flags(*cmd, flags->cache);
    cmd->add_option("--order", flags->order, "Fit orders 1 (the unigram) to N")->check(CLI::Range(1, 20))
        ->capture_default_str();
    cmd->add_option("--val-split", flags->val_split, "Share of pieces held out")->check(CLI::Range(0.0, 0.9))
        ->capture_default_str();
    cmd->add_option("--split-seed", flags->split_seed, "Which pieces are held out")->capture_default_str();
    cmd->add_option("--transpose", flags->transpose, "Count training pieces at every shift up to +-N semitones")
        ->check(CLI::Range(0, 12))->capture_default_str();
    cmd->add_option("--threads", flags->threads, "Threads for loading (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_flag("--json", flags->json, "One JSON line per order");
    cmd->callback([flags] { run_baseline(*flags); });
}

}  // namespace pianola::app
