// A MIDI file as the commands that take one read it: the reader's result, with each oddity it read
// past reported on stderr as one `pianola: warning: FILE: ...` line. Shared by `midi csv`, `render`
// and `plot` (and so by both executables).
#pragma once

#include <filesystem>

#include "midi/MidiFile.h"

namespace pianola::app {

// Throws FileError (file and byte offset) for a file the reader refuses.
midi::MidiFile read_midi_reporting_warnings(const std::filesystem::path& path);

}  // namespace pianola::app
