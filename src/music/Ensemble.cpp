#include "music/Ensemble.h"

#include <bitset>

#include "music/TimedTokenizer.h"

namespace pianola::music {

namespace {

using Playing = std::bitset<kit_instrument + 1>;  // by program, then the kit

}  // namespace

int ensemble_size(std::span<const std::string> tokens) {
    Playing playing;
    int program = 0;
    for (const std::string& text : tokens) {
        const auto token = parse_timed_token(text);
        if (!token) continue;
        if (token->kind == TimedToken::Kind::program) program = token->value;
        if (token->kind == TimedToken::Kind::pitch) playing.set(static_cast<std::size_t>(program & 127));
        if (token->kind == TimedToken::Kind::drum) playing.set(kit_instrument);
    }
    return static_cast<int>(playing.count());
}

int ensemble_size(const Score& score) {
    Playing playing;
    for (const Note& note : score.notes) playing.set(note.channel == drum_channel ? kit_instrument : note.program & 127);
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
