#include "MidiInput.h"

#include <cstdio>

#include "midi/MidiReader.h"

namespace pianola::app {

midi::MidiFile read_midi_reporting_warnings(const std::filesystem::path& path) {
    midi::MidiFile file = midi::read_midi_file(path);
    for (const midi::ReadWarning& warning : file.warnings)
        std::fprintf(stderr, "pianola: warning: %s: %s\n", path.string().c_str(), warning.text().c_str());
    return file;
}

}  // namespace pianola::app
