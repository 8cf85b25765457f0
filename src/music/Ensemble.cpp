#include "music/Ensemble.h"

#include <bitset>

#include "music/TimedTokenizer.h"

namespace pianola::music {

int ensemble_size(std::span<const std::string> tokens) {
    std::bitset<129> playing;  // programs 0-127, then the kit
    int program = 0;
    for (const std::string& text : tokens) {
        const auto token = parse_timed_token(text);
        if (!token) continue;
        if (token->kind == TimedToken::Kind::program) program = token->value;
        if (token->kind == TimedToken::Kind::pitch) playing.set(static_cast<std::size_t>(program & 127));
        if (token->kind == TimedToken::Kind::drum) playing.set(128);
    }
    return static_cast<int>(playing.count());
}

std::vector<int> ensemble_sizes(const Corpus& corpus) {
    std::vector<int> pieces;
    for (const CorpusPiece& piece : corpus.pieces) {
        const auto size = static_cast<std::size_t>(ensemble_size(corpus.tokens(piece)));
        if (pieces.size() <= size) pieces.resize(size + 1);
        ++pieces[size];
    }
    return pieces;
}

}  // namespace pianola::music
