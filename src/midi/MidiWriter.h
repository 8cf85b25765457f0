// MidiWriter: serializes a MidiFile to Standard MIDI File bytes (the MidiFile's format and
// division; each track gets an end-of-track if it has none). No running status is emitted, so
// the output is the plainest form every reader accepts. Writing to disk is atomic.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "midi/MidiFile.h"

namespace pianola::midi {

std::vector<std::uint8_t> write_midi(const MidiFile& file);
void write_midi_file(const std::filesystem::path& path, const MidiFile& file);

}  // namespace pianola::midi
