#include "CorpusSummary.h"

#include <fmt/core.h>

namespace pianola::app {

void print_corpus_summary(const music::Corpus& corpus, std::size_t vocabulary_size, double seconds, std::FILE* out) {
    for (const music::SkippedFile& skipped : corpus.skipped)
        fmt::print(stderr, "skipped {}: {}\n", skipped.path.string(), skipped.reason);
    for (const music::WarnedFile& warned : corpus.warned)
        for (const std::string& warning : warned.warnings)
            fmt::print(stderr, "warning: {}: {}\n", warned.path.string(), warning);
    if (corpus.cache_problem) fmt::print(stderr, "warning: no token cache: {}\n", *corpus.cache_problem);
    const std::string cached = corpus.from_cache ? fmt::format("; {} from the token cache", corpus.from_cache) : "";
    fmt::print(out, "read {} files ({} skipped{}) in {:.2f} s: {} {} tokens for {} notes, vocabulary of {}\n",
               corpus.pieces.size(), corpus.skipped.size(), cached, seconds, corpus.token_count(),
               music::tokenizer_name(corpus.tokenizer), corpus.note_count(), vocabulary_size);
}

}  // namespace pianola::app
