// PrimerUpload: the check an uploaded primer passes before it is kept: small enough, and a MIDI
// file pianola's own reader reads (src/midi/MidiReader.h), so a refusal comes at upload, with the
// reader's reason, and never later in the middle of composing. It does not judge the music.
#pragma once

#include <cstddef>
#include <string_view>

namespace pianola::web {

// Throws RequestError: 413 above `max_bytes`, 400 when the bytes are not a MIDI file.
void check_primer(std::string_view bytes, std::size_t max_bytes);

}  // namespace pianola::web
