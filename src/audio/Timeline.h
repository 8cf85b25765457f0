// Timeline: where a MIDI file's time goes, in seconds: where it ends and where its bars start.
// Both the renderer (how long the sound lasts) and the piano roll (its time axis) ask it, so the
// WAV and the picture agree on the length of a piece. It knows nothing of notes (music::Score
// pairs them) and does not judge whether a time signature fits the music: it takes the file's word.
#pragma once

#include <cstdint>
#include <vector>

#include "midi/MidiFile.h"
#include "midi/TempoMap.h"

namespace pianola::audio {

// The tick of the last event of any track, end-of-track included: where a player stops.
std::uint32_t end_tick(const midi::MidiFile& file);
double end_seconds(const midi::MidiFile& file, const midi::TempoMap& tempo);

struct BarLine {
    double seconds = 0;
    int number = 1;  // counted from 1, as scores number bars
};

// Bar starts before the end of the file (bar 1 always), from every track's time signature events (4/4 until the
// first, as the standard says); a change starts a new bar. `ticks_per_quarter` is the score's
// (music::Score gives SMPTE files one of a second), not the raw division word.
std::vector<BarLine> bar_lines(const midi::MidiFile& file, const midi::TempoMap& tempo,
                               std::uint32_t ticks_per_quarter);

}  // namespace pianola::audio
