// `pianola midi csv FILE`: prints what the MIDI reader made of a file, in the CSV text of
// Debian's midicsv, so a user can see, grep and diff it against the reference tool. A file the
// reader refuses is an error (one line, exit status 1), never partial output; what it read past
// is one warning line on stderr per kind of oddity.
#include <cstdio>
#include <filesystem>
#include <string>

#include "Commands.h"
#include "MidiInput.h"
#include "io/FileError.h"
#include "midi/MidiCsv.h"

namespace pianola::app {

void add_midi_command(CLI::App& app) {
    CLI::App* midi = app.add_subcommand("midi", "Look inside MIDI files.");
    midi->require_subcommand(1);
    auto path = std::make_shared<std::filesystem::path>();
    CLI::App* csv = midi->add_subcommand("csv", "Print a MIDI file as Debian's midicsv prints it.");
    csv->add_option("FILE", *path, "A MIDI file (.mid, .kar, RIFF .rmi, or gzip-compressed)")->required();
    csv->callback([path] {
        const midi::MidiFile file = read_midi_reporting_warnings(*path);
        const std::string text = midi::midi_csv(file);
        if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
            throw FileError("standard output", "cannot write the CSV text");
    });
}

}  // namespace pianola::app
