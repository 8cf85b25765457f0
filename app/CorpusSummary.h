// Prints what loading a corpus found: files read, files skipped and why, tokens, vocabulary.
#pragma once

#include <cstddef>

#include "music/Corpus.h"

namespace pianola::app {

void print_corpus_summary(const music::Corpus& corpus, std::size_t vocabulary_size, double seconds);

}  // namespace pianola::app
