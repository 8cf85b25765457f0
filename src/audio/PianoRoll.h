// PianoRoll: a picture of a MIDI file's notes, drawn with cairo and written as PNG atomically.
// Time runs left to right with the bar lines of the file's time signatures and bar numbers under
// them; pitch runs upward in whole octaves labelled C2, C3, ... (MIDI 60 = C4, as pitch_name
// spells it); each track has its own colour and a louder note is a deeper shade of it; a note the
// sustain pedal holds after its key is released trails a thin, pale line while it rings. Every
// line and label is grey, so colour in the plot area always means a note. The whole piece fits
// the width: it is an overview to read at a glance (60 bars of a 2-minute piece get 25 pixels
// each at the default size), not a score to play from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "midi/MidiFile.h"
#include "music/Score.h"

namespace pianola::audio {

struct PianoRollSize {
    int width = 1600, height = 900;  // pixels
};

// Where the plot area and its rows are: shared by the drawing and the tests that check it.
struct PianoRollLayout {
    double left = 0, top = 0, right = 0, bottom = 0;  // the plot area, in pixels
    double seconds = 1;                                // the time at its right edge
    int low_pitch = 48, high_pitch = 71;               // whole octaves, C of the lowest to B of the highest

    double x(double at_seconds) const { return left + (right - left) * at_seconds / seconds; }
    double row_height() const { return (bottom - top) / (high_pitch - low_pitch + 1); }
    double row_top(int pitch) const { return top + (high_pitch - pitch) * row_height(); }
};

// `seconds` is the length of the piece (Timeline::end_seconds); notes past it widen the axis (pass
// the score as heard, music::sustained, for the ringing to count).
PianoRollLayout layout_piano_roll(const music::Score& score, double seconds, PianoRollSize size);

struct PianoRollPicture {
    std::vector<std::uint8_t> png;
    PianoRollLayout layout;  // where a time in the piece lies in the picture (a page's playhead)
};

// `title`, printed above the plot, is the MIDI file's name: FileErrors from cairo name it.
PianoRollPicture draw_piano_roll(const midi::MidiFile& file, const std::string& title, PianoRollSize size);

// Returns the picture's layout. Throws FileError naming `path` when it cannot be written.
PianoRollLayout write_piano_roll(const midi::MidiFile& file, const std::string& title,
                                 const std::filesystem::path& path, PianoRollSize size = {});

}  // namespace pianola::audio
