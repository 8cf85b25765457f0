// Prints what loading a corpus found: files read, files skipped and why, tokens, vocabulary.
#pragma once

#include <cstddef>
#include <cstdio>

#include "music/Corpus.h"

namespace pianola::app {

// The summary line goes to `out` (stdout, or stderr when stdout carries JSON); skipped files to stderr.
void print_corpus_summary(const music::Corpus& corpus, std::size_t vocabulary_size, double seconds,
                          std::FILE* out = stdout);

}  // namespace pianola::app
