// MidiReader: parses Standard MIDI Files (formats 0, 1, 2) from bytes into a MidiFile.
// Strict where a guess would corrupt data, tolerant where the standard's readers agree:
// running status, note-on velocity 0, SysEx (F0/F7) and unknown chunks are read or skipped.
// Where midicsv reads an odd file (no end-of-track, a last track cut short), the events that are
// whole are read and the file carries a warning with the byte offset. Every read is bounds-checked;
// a malformed file throws FileError with the byte offset. It is not a repair tool: it never
// guesses at bytes that are missing or that it cannot read as midicsv does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "midi/MidiFile.h"

namespace pianola::midi {

// `name` is used only in error messages (usually the file's path). Bytes that start with the
// gzip magic are inflated first (so both functions read *.mid.gz); offsets of MIDI errors then
// count in the inflated bytes. A RIFF "RMID" wrapper is unwrapped, with offsets still from its start.
MidiFile read_midi(std::span<const std::uint8_t> bytes, const std::string& name);
MidiFile read_midi_file(const std::filesystem::path& path);

}  // namespace pianola::midi
