#include "compose/PieceScore.h"

#include "compose/SeedComposer.h"

namespace pianola::compose {

music::Score piece_score(const model::ModelInfo& info, const std::vector<std::string>& tokens) {
    if (const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer)) return timed->decode(tokens, info.tempo_us);
    return seed_score(tokens);
}

}  // namespace pianola::compose
