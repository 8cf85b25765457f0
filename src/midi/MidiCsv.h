// MidiCsv: prints a MidiFile as the CSV text of Debian's `midicsv` (1.1, format in midicsv(5)),
// byte for byte: the same records in file order, the same field formats and the same string
// escaping. It is a way to look at and diff what the reader saw; it does not read CSV back.
#pragma once

#include <string>

#include "midi/MidiFile.h"

namespace pianola::midi {

std::string midi_csv(const MidiFile& file);

}  // namespace pianola::midi
