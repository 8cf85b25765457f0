#include "compose/PieceScore.h"

#include "compose/SeedComposer.h"

namespace pianola::compose {

music::Score piece_score(const model::ModelInfo& info, const std::vector<std::string>& tokens, std::uint32_t tempo_us) {
    if (const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer)) {
        music::Score score = timed->decode(tokens, info.tempo_us);
        if (tempo_us && score.tempo_us != tempo_us) music::set_start_tempo(score, tempo_us);
        return score;
    }
    return seed_score(tokens, tempo_us ? tempo_us : 500000);
}

bool pedalled_by_rule(const model::ModelInfo& info) {
    const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer);
    return timed && !timed->options().pedal && !timed->options().sustain &&
           info.training.value("pedalled_share", 0.0) >= pedalled_corpus_share;
}

}  // namespace pianola::compose
