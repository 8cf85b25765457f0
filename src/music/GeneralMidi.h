// GeneralMidi: the names of General MIDI's 128 programs (Level 1's instrument list), for what a
// person reads: a written track's name, the studio's instrument menu, a piano roll's legend.
// It is no sound set: FluidSynth's SoundFont plays the programs (audio/).
#pragma once

#include <string_view>

namespace pianola::music {

inline constexpr int program_count = 128;

// "Acoustic Grand Piano" for 0 ... "Gunshot" for 127. Throws std::out_of_range outside 0..127.
std::string_view program_name(int program);

}  // namespace pianola::music
