#include "train/TrainingSet.h"

namespace pianola::train {

TrainingSet make_training_set(const music::Corpus& corpus) {
    const std::vector<std::string>& table = corpus.token_table();
    std::vector<bool> used(table.size(), false);
    for (const music::CorpusPiece& piece : corpus.pieces)
        for (const std::uint32_t id : piece.ids) used[id] = true;
    std::vector<std::string> tokens;
    for (std::size_t id = 0; id < table.size(); ++id)
        if (used[id]) tokens.push_back(table[id]);
    TrainingSet set;
    set.vocabulary = music::Vocabulary(std::move(tokens));
    std::vector<std::int64_t> to_vocabulary(table.size(), -1);
    for (std::size_t id = 0; id < table.size(); ++id)
        if (used[id]) to_vocabulary[id] = set.vocabulary.id(table[id]);
    set.ids.reserve(corpus.token_count());
    for (const music::CorpusPiece& piece : corpus.pieces)
        for (const std::uint32_t id : piece.ids) set.ids.push_back(to_vocabulary[id]);
    return set;
}

}  // namespace pianola::train
