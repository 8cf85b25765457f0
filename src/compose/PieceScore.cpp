#include "compose/PieceScore.h"

#include "compose/SeedComposer.h"

namespace pianola::compose {

music::Score piece_score(const model::ModelInfo& info, const std::vector<std::string>& tokens, std::uint32_t tempo_us) {
    if (const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer))
        return timed->decode(tokens, tempo_us ? tempo_us : info.tempo_us);
    return seed_score(tokens, tempo_us ? tempo_us : 500000);
}

}  // namespace pianola::compose
