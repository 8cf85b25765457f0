#include "train/TrainingSet.h"

namespace pianola::train {

TrainingSet make_training_set(const music::Corpus& corpus) {
    std::vector<std::string> all;
    all.reserve(corpus.token_count());
    for (const music::CorpusPiece& piece : corpus.pieces) all.insert(all.end(), piece.tokens.begin(), piece.tokens.end());
    TrainingSet set;
    set.vocabulary = music::Vocabulary(all);
    set.ids = set.vocabulary.encode(all);
    return set;
}

}  // namespace pianola::train
