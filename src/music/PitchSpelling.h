// Pitch names and chord normal order, spelled exactly as music21 spells them, because the seed
// tokenizer must produce the original design's vocabulary: C C# D E- E F F# G G# A B- B with
// the octave after it (MIDI 60 = C4), and chords as pitch classes in normal order joined by '.'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pianola::music {

std::string pitch_name(std::uint8_t midi_pitch);  // 61 -> "C#4", 0 -> "C-1", 63 -> "E-4"

// The inverse ("E--1" is E-flat in octave -1); nullopt if not such a name. "E-1" and "B-1" each name
// two pitches (E-flat 1 and E in octave -1): they read as the flats, 27 and 34, so MIDI 4 and 11
// are the only pitches whose names do not read back to them.
std::optional<std::uint8_t> parse_pitch_name(std::string_view name);

// The most compact rotation of the distinct pitch classes (Rahn's normal order, as music21's
// Chord.normalOrder): smallest span first, then smallest intervals from the first note to the
// last-but-one, last-but-two, ...; a remaining tie goes to the rotation starting lowest.
// {0,4,7} -> {0,4,7}; {4,9} -> {4,9}; {2,5,11} -> {11,2,5}. Input may hold duplicates, any order,
// and whole pitches (they are taken mod 12).
std::vector<int> normal_order(std::vector<int> pitch_classes);

}  // namespace pianola::music
