// Music21Reading: the order in which the original design met a MIDI file's notes. It parsed each
// file with music21 5.x (converter.parse) and walked instrument.partitionByInstrument(score)
// .parts[0].recurse(), or score.flat.notes where partitioning failed; this file follows those rules
// on a Score, one by one (src/music/README.md names the music21 function behind each).
// It is not music21: it keeps only what that walk needs (which notes, as Note or Chord, in which
// order), not rests, voices, spelling or durations beyond what decides the order.
#pragma once

#include <cstdint>
#include <vector>

#include "music/Score.h"

namespace pianola::music {

// One element the walk yields: a music21 Note (one pitch) or Chord (its pitches, duplicates kept).
struct Music21Element {
    std::vector<std::uint8_t> pitches;
    bool chord = false;
};

std::vector<Music21Element> music21_elements(const Score& score);

}  // namespace pianola::music
