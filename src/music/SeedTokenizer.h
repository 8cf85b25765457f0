// SeedTokenizer: the original design's tokens, one per element of music21 5.x's reading of the
// file (Music21Reading: chords only within a track, the first instrument's notes, music21's
// order). A Note -> its name ("C#4"); a Chord -> its distinct pitch classes in normal order
// joined by '.' ("0.4.7", "0" for octaves). Drums are notes here, as they were in music21 5.x.
// Octaves of chords and all timing are thrown away, exactly as the original did; that loss is
// what the timed tokenizer exists to fix. Decoding puts chord pitch classes in octave 4.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "music/Score.h"

namespace pianola::music {

class SeedTokenizer {
public:
    static constexpr std::string_view name = "seed";

    std::vector<std::string> tokenize(const Score& score) const;

    // The MIDI pitches a token sounds: a note token its own pitch, a chord token its pitch
    // classes in octave 4 (MIDI 60..71). Throws std::invalid_argument for a malformed token.
    std::vector<std::uint8_t> pitches_of(std::string_view token) const;

    // The token moved by `semitones`: a note token's pitch (nullopt when it leaves MIDI's 0..127),
    // a chord token's pitch classes, put back in normal order. Transposition augmentation relies on
    // it: a transposed piece tokenizes to exactly the transposed tokens. Throws std::invalid_argument
    // for a malformed token.
    std::optional<std::string> transpose(std::string_view token, int semitones) const;

    // The original design's output: one onset every `step_ticks`, each lasting `step_ticks`.
    Score compose_score(const std::vector<std::string>& tokens, std::uint16_t ticks_per_quarter,
                        std::uint32_t step_ticks, std::uint32_t tempo_us) const;
};

}  // namespace pianola::music
