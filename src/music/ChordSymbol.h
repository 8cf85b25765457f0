// ChordSymbol: the notes of a chord symbol or a key name, for priming generation when the user
// has no MIDI opening: "C", "Am", "F#m7", "Bbmaj7", "Gsus4", "Edim", "Caug", "D7", or a key as
// "D minor" / "E-flat major" / "Eb major" (its tonic triad). Roots are voiced from C3 (MIDI 48)
// up, the other tones stacked above the root within the octave and a half above it.
// It does not name chords from notes (the seed tokenizer's normal order does that).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace pianola::music {

// Ascending MIDI keys. Throws std::invalid_argument naming the symbol when it is not one of the
// forms above.
std::vector<std::uint8_t> chord_pitches(std::string_view symbol);

}  // namespace pianola::music
