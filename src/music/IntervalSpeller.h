// IntervalSpeller: spells token ids so that a passage and its transpositions read the same, for
// the originality guard and `pianola evaluate` to find copies in any key. A note's pitch becomes
// its interval from the pitch before it (the first pitch of a piece, no interval); a seed chord
// becomes its shape and its root's pitch-class step from the pitch before it. Every other token
// (time, duration, velocity) is spelled as its own id. Transposing a whole passage changes no
// symbol but the first pitch's, which compares with a pitch outside the passage.
// It does not index or search anything (eval::CopyIndex does); it reads only a vocabulary.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::music {

class IntervalSpeller {
public:
    // Where a piece stands: the pitch the next interval is taken from.
    struct State {
        int reference = -1;          // MIDI key, or a pitch class after a seed chord; -1 at a piece's start
        bool pitch_class = false;    // the reference is a pitch class (seed chords have no octave)
    };

    // Throws std::invalid_argument for a token the tokenizer cannot read.
    IntervalSpeller(const Tokenizer& tokenizer, const Vocabulary& vocabulary);

    std::int32_t alphabet() const { return alphabet_; }  // symbols are in [0, alphabet)
    std::int32_t symbol(std::int64_t id, State state) const;
    State after(std::int64_t id, State state) const;
    // A piece's ids from its start -> one symbol each.
    std::vector<std::int32_t> spell(std::span<const std::int64_t> ids) const;

private:
    enum class Kind : std::uint8_t { plain, key, chord };
    struct Entry {
        Kind kind = Kind::plain;
        int pitch = 0;   // key: MIDI key; chord: its root's pitch class
        int shape = 0;   // chord: index of its shape (pitch classes above the root)
    };
    std::vector<Entry> entries_;  // by id
    std::int32_t vocab_ = 0, chord_base_ = 0, alphabet_ = 0;
};

}  // namespace pianola::music
