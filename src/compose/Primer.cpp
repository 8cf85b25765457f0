#include "compose/Primer.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "music/ChordSymbol.h"

namespace pianola::compose {

namespace {

// The learned token of `token`'s kind (a tempo or a tempo change) nearest its value, or none
// where the model learned none of that kind.
std::optional<std::string> nearest_learned(const music::Vocabulary& vocabulary, const music::TimedToken& token) {
    std::optional<std::string> nearest;
    int distance = 2 * music::TimedTokenizer::tempo_bins;
    for (int other = -music::TimedTokenizer::tempo_bins; other < music::TimedTokenizer::tempo_bins; ++other) {
        if (token.kind == music::TimedToken::Kind::tempo ? other < 0 : other == 0) continue;
        std::string text = music::timed_token_text({token.kind, other});
        if (std::abs(other - token.value) < distance && vocabulary.contains(text)) {
            distance = std::abs(other - token.value);
            nearest = std::move(text);
        }
    }
    return nearest;
}

}  // namespace

std::vector<std::string> primer_tokens(const model::ModelInfo& info, const music::Score& score) {
    std::vector<std::string> read = music::tokenize(info.tokenizer, score);
    if (read.empty()) throw std::invalid_argument("the primer has no notes");
    std::vector<std::string> tokens;
    for (std::string& token : read) {
        const auto parsed = music::parse_timed_token(token);
        const bool tempo = parsed && (parsed->kind == music::TimedToken::Kind::tempo ||
                                      parsed->kind == music::TimedToken::Kind::tempo_change);
        if (tempo && !info.vocabulary.contains(token)) {
            if (auto learned = nearest_learned(info.vocabulary, *parsed)) tokens.push_back(std::move(*learned));
            continue;
        }
        tokens.push_back(std::move(token));
    }
    for (const std::string& token : tokens)
        if (!info.vocabulary.contains(token))
            throw std::invalid_argument("the file holds \"" + token + "\", which the model never learned " +
                                        "(a pitch or a rhythm outside its training corpus)");
    return tokens;
}

music::Score chord_score(const model::ModelInfo& info, std::string_view symbol, std::uint32_t tempo_us) {
    music::Score score;
    score.tempo_us = tempo_us;
    std::uint32_t bar = 4u * score.ticks_per_quarter;
    if (const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer)) {
        score.ticks_per_quarter = timed->ticks_per_quarter();
        const int whole = 4 * timed->options().steps_per_beat;
        int steps = 0;
        for (const std::string& token : info.vocabulary.tokens()) {
            const auto parsed = music::parse_timed_token(token);
            if (parsed && parsed->kind == music::TimedToken::Kind::duration && parsed->value <= whole)
                steps = std::max(steps, parsed->value);
        }
        bar = static_cast<std::uint32_t>(std::max(steps, 1)) * timed->ticks_per_step();
    }
    for (const std::uint8_t pitch : music::chord_pitches(symbol)) {
        music::Note note;
        note.end_tick = bar;
        note.end_s = bar * (tempo_us / 1e6) / score.ticks_per_quarter;
        note.pitch = pitch;
        note.velocity = 80;
        score.notes.push_back(note);
    }
    return score;
}

}  // namespace pianola::compose
