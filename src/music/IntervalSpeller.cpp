#include "music/IntervalSpeller.h"

#include <algorithm>
#include <cctype>

namespace pianola::music {

namespace {

// Symbols past the vocabulary's own ids: 255 key intervals -127..127, 12 pitch-class steps from a
// chord's root, one for a piece's first key, then 13 per chord shape (12 steps and "first").
constexpr std::int32_t key_intervals = 255, class_steps = 12, first_key = key_intervals + class_steps;

int class_step(int from, int to) { return ((to - from) % 12 + 12) % 12; }

}  // namespace

IntervalSpeller::IntervalSpeller(const Tokenizer& tokenizer, const Vocabulary& vocabulary)
    : vocab_(static_cast<std::int32_t>(vocabulary.size())) {
    std::vector<int> shapes;  // 12-bit masks of pitch classes above the root
    for (const std::string& token : vocabulary.tokens()) {
        Entry entry;
        if (std::holds_alternative<TimedTokenizer>(tokenizer)) {
            const auto parsed = parse_timed_token(token);
            if (parsed && parsed->kind == TimedToken::Kind::pitch) entry = {Kind::key, parsed->value, 0};
        } else if (token != piece_start_token) {
            const std::vector<std::uint8_t> pitches = std::get<SeedTokenizer>(tokenizer).pitches_of(token);
            if (!std::isdigit(static_cast<unsigned char>(token.front()))) {
                entry = {Kind::key, pitches.front(), 0};
            } else {
                const int root = pitches.front() % 12;  // normal order's first pitch class
                int mask = 0;
                for (const std::uint8_t p : pitches) mask |= 1 << class_step(root, p % 12);
                const auto known = std::find(shapes.begin(), shapes.end(), mask);
                if (known == shapes.end()) shapes.push_back(mask);
                entry = {Kind::chord, root, static_cast<int>(std::find(shapes.begin(), shapes.end(), mask) - shapes.begin())};
            }
        }
        entries_.push_back(entry);
    }
    chord_base_ = vocab_ + first_key + 1;
    alphabet_ = chord_base_ + 13 * static_cast<std::int32_t>(shapes.size());
}

std::int32_t IntervalSpeller::symbol(std::int64_t id, State state) const {
    const Entry& e = entries_.at(static_cast<std::size_t>(id));
    switch (e.kind) {
    case Kind::plain: return static_cast<std::int32_t>(id);
    case Kind::key:
        if (state.reference < 0) return vocab_ + first_key;
        if (state.pitch_class) return vocab_ + key_intervals + class_step(state.reference, e.pitch);
        return vocab_ + (e.pitch - state.reference + 127);
    case Kind::chord:
        return chord_base_ + 13 * e.shape + (state.reference < 0 ? 12 : class_step(state.reference, e.pitch));
    }
    return 0;
}

IntervalSpeller::State IntervalSpeller::after(std::int64_t id, State state) const {
    const Entry& e = entries_.at(static_cast<std::size_t>(id));
    if (e.kind == Kind::plain) return state;
    return {e.pitch, e.kind == Kind::chord};
}

std::vector<std::int32_t> IntervalSpeller::spell(std::span<const std::int64_t> ids) const {
    std::vector<std::int32_t> symbols;
    symbols.reserve(ids.size());
    State state;
    for (const std::int64_t id : ids) {
        symbols.push_back(symbol(id, state));
        state = after(id, state);
    }
    return symbols;
}

}  // namespace pianola::music
