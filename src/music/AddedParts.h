// AddedParts: a MIDI file with composed parts added beside its own tracks, which stay exactly as
// they were (every event, tick and byte): what `generate --melody` writes. The parts come as a
// Score (on any tick grid) and go to new tracks, their ticks moved to the file's division, on
// channels the file does not use (drums stay on channel 10).
// It does not mix or re-time the given tracks: a file with tempo changes keeps them, and the parts,
// placed in beats, follow them.
#pragma once

#include <cstdint>
#include <optional>

#include "midi/MidiFile.h"
#include "music/Score.h"

namespace pianola::music {

// The given file (a format 0 file becomes format 1, its one track first) and then a track per
// instrument of `parts` (midi_from_score's, `program` as there). Throws std::invalid_argument for a
// file timed in SMPTE frames or of format 2 (no common beat to place parts on), or parts
// midi_from_score refuses.
midi::MidiFile add_parts(const midi::MidiFile& given, const Score& parts, std::optional<std::uint8_t> program = std::nullopt);

}  // namespace pianola::music
