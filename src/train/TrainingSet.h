// TrainingSet: a tokenized corpus turned into what a model trains on: its vocabulary and the
// ids of every piece, concatenated in file order as the original design did.
#pragma once

#include <cstdint>
#include <vector>

#include "music/Corpus.h"
#include "music/Vocabulary.h"

namespace pianola::train {

struct TrainingSet {
    music::Vocabulary vocabulary;
    std::vector<std::int64_t> ids;
};

TrainingSet make_training_set(const music::Corpus& corpus);

}  // namespace pianola::train
