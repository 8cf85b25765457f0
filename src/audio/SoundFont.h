// SoundFont: which General MIDI SoundFont the renderer plays with. Debian's fluid-soundfont-gm
// installs FluidR3_GM.sf2 under /usr/share/sounds/sf2, and default-GM.sf2 there is the
// alternative that any GM SoundFont package may provide. It finds a file and checks that it opens
// as a SoundFont 2 (RIFF form "sfbk", .sf2 and .sf3 alike) before FluidSynth sees it: FluidSynth
// hands a file its own loader refuses to libinstpatch, which prints GLib warnings to stderr.
#pragma once

#include <filesystem>
#include <optional>

namespace pianola::audio {

// The given file when there is one, else the first standard path that exists. Throws FileError
// naming the given file when it is missing or not a SoundFont, or the standard path when none is
// installed.
std::filesystem::path find_soundfont(const std::optional<std::filesystem::path>& given = std::nullopt);

}  // namespace pianola::audio
