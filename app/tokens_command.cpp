// `pianola tokens`: reads a corpus with a tokenizer (the default one unless told) and reports
// what it found, or prints every file's tokens, so a user can check a folder before training on
// it and see what a model learns from.
#include <filesystem>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "CorpusSummary.h"
#include "TokenCacheFlags.h"
#include "TokenizerFlags.h"
#include "model/ModelFile.h"
#include "runtime/Compute.h"
#include "runtime/Stopwatch.h"
#include "train/TrainingSet.h"

namespace pianola::app {

namespace {

struct TokensFlags {
    std::vector<std::filesystem::path> data;
    TokenizerFlags tokenizer;
    TokenCacheFlags cache;
    bool json = false;
    bool print = false;
    int threads = 0;
};

void run_tokens(const TokensFlags& flags) {
    const ComputeInfo compute = configure_compute(flags.threads);
    const auto start = Clock::now();
    const music::Corpus corpus =
        music::load_corpus(flags.data, compute.threads, corpus_tokenizer(flags.tokenizer, music::default_tokenizer(), flags.data).tokenizer,
                           token_cache_dir(flags.cache));
    const music::Vocabulary vocabulary = train::make_training_set(corpus).vocabulary;
    const double seconds = seconds_since(start);
    if (flags.print) {
        for (const music::CorpusPiece& piece : corpus.pieces)
            fmt::print("{}\n", nlohmann::json{{"file", piece.path.string()}, {"tokens", corpus.tokens(piece)}}.dump());
        return;
    }
    if (!flags.json) {
        print_corpus_summary(corpus, vocabulary.size(), seconds);
        return;
    }
    nlohmann::json skipped = nlohmann::json::array();
    for (const music::SkippedFile& s : corpus.skipped) skipped.push_back({{"file", s.path.string()}, {"reason", s.reason}});
    const nlohmann::json report = {{"tokenizer", music::tokenizer_name(corpus.tokenizer)},
                                   {"tokenizer_options", model::tokenizer_options(corpus.tokenizer)},
                                   {"files", corpus.pieces.size()},
                                   {"skipped", skipped},
                                   {"tokens", corpus.token_count()},
                                   {"notes", corpus.note_count()},
                                   {"vocab", vocabulary.size()},
                                   {"from_cache", corpus.from_cache},
                                   {"seconds", seconds}};
    fmt::print("{}\n", report.dump());
}

}  // namespace

void add_tokens_command(CLI::App& app) {
    auto flags = std::make_shared<TokensFlags>();
    CLI::App* cmd = app.add_subcommand("tokens", "Tokenize MIDI folders and report files, tokens and vocabulary.");
    cmd->add_option("--data", flags->data, "Folders (or files) of MIDI")->required()->expected(1, -1);
    add_tokenizer_flags(*cmd, flags->tokenizer);
    add_token_cache_flags(*cmd, flags->cache);
    CLI::Option* json = cmd->add_flag("--json", flags->json, "One JSON line instead of text");
    cmd->add_flag("--print", flags->print,
                  "Each file's tokens instead: one JSON line per file, {\"file\", \"tokens\"}, in corpus order")
        ->excludes(json);
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([flags] { run_tokens(*flags); });
}

}  // namespace pianola::app
