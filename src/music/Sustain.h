// Sustain: the sustain pedal applied to note durations, so a note lasts as long as it sounds, not
// as long as its key is held: a note released while the pedal is down rings on until the pedal
// lifts, or until its key is struck again on its channel (the string is struck anew), as
// Magenta's reading of piano performances does. Drums are left as they are.
// It does not write pedal events: a piece read this way plays back the same without them.
#pragma once

#include "music/Score.h"

namespace pianola::music {

// The score with every sustained note's end moved to where it stops sounding, and no pedal
// changes left. A pedal still down at the end holds its notes to the piece's last note-off.
// A change exactly at a note's release counts when it lifts the pedal (the note stops there).
Score sustained(const Score& score);

// The score as a listener hears it: sustained(), its pedal changes kept (for how much of the time
// the pedal is down). What `evaluate` and the calibration of composing measure, so that a model
// that writes the pedal is heard with it.
Score heard(const Score& score);

}  // namespace pianola::music
