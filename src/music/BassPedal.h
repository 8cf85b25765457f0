// BassPedal: a sustain pedal for a piece written without one, pedalled as pianists are taught to
// pedal legato: pressed at the first onset, changed (lifted and pressed again on one tick, so the
// notes struck there ring and the ones before stop) at each onset whose lowest note is not the bass
// the pedal holds, at most once every `min_gap_beats` quarters; lifted where the last note ends.
// pianola's default tokens hold notes as long as their keys are (models learn the pedal poorly:
// README), so a piece from a corpus of pedalled piano music sounds dry and thin without this.
// It reads no harmony beyond the bass and knows nothing of style; a channel that already has pedal
// changes, and the drums, are left as they are.
#pragma once

#include "music/Score.h"

namespace pianola::music {

// The one measured on ff-piano (README): changes every 0.5, 1, 2 and 3 beats at the most.
inline constexpr double default_pedal_gap_beats = 1;

// Adds the changes to `score.pedals` on every pitched channel with notes and no pedal of its own,
// with their seconds by the score's tempo map.
void pedal_at_bass_changes(Score& score, double min_gap_beats = default_pedal_gap_beats);

}  // namespace pianola::music
