#include "compose/KeyPull.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eval/MusicStats.h"

namespace pianola::compose {

namespace {

// The notes after which the pull is at half its strength: one scale holds all of a piece's first
// few notes whatever key it is in.
constexpr double settling_notes = 8;

}  // namespace

std::vector<int> pitch_classes(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary) {
    std::vector<int> classes(vocabulary.size(), -1);
    if (!std::holds_alternative<music::TimedTokenizer>(tokenizer)) return classes;
    for (std::size_t id = 0; id < vocabulary.size(); ++id) {
        const auto token = music::parse_timed_token(vocabulary.token(static_cast<std::int64_t>(id)));
        if (token && token->kind == music::TimedToken::Kind::pitch) classes[id] = token->value % 12;
    }
    return classes;
}

void KeyPull::push(std::int64_t id) {
    const int c = pitch_classes_[static_cast<std::size_t>(id)];
    if (c < 0) return;
    notes_[static_cast<std::size_t>(c)] += 1;
    total_ += 1;
    scale_ = eval::fullest_scale(notes_);
}

void KeyPull::pull(std::span<float> logits, double strength) const {
    if (strength == 0 || total_ == 0) return;
    std::array<double, 12> lift{};
    for (std::size_t c = 0; c < 12; ++c) lift[c] = scale_[c] ? 0 : -strength * total_ / (total_ + settling_notes);
    // The pitch tokens' probability mass before and after, relative to the largest logit.
    float top = -std::numeric_limits<float>::infinity();
    for (std::size_t v = 0; v < logits.size(); ++v)
        if (pitch_classes_[v] >= 0) top = std::max(top, logits[v]);
    if (top == -std::numeric_limits<float>::infinity()) return;  // no pitch may come next
    double before = 0, after = 0;
    for (std::size_t v = 0; v < logits.size(); ++v) {
        const int c = pitch_classes_[v];
        if (c < 0) continue;
        const double w = std::exp(static_cast<double>(logits[v] - top));
        before += w;
        after += w * std::exp(lift[static_cast<std::size_t>(c)]);
    }
    const double shift = std::log(before / after);
    for (std::size_t v = 0; v < logits.size(); ++v) {
        const int c = pitch_classes_[v];
        if (c >= 0) logits[v] += static_cast<float>(lift[static_cast<std::size_t>(c)] + shift);
    }
}

}  // namespace pianola::compose
