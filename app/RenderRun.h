// Sound and pictures of MIDI files as the CLI makes and reports them: shared by `render`, `plot`,
// `generate --wav/--png` and `demo`. Each reads the MIDI file back from disk, so the WAV and the
// PNG are of exactly the file the user has.
#pragma once

#include <filesystem>
#include <optional>

#include <CLI/CLI.hpp>

#include "audio/PianoRoll.h"

namespace pianola::app {

struct AudioFlags {
    std::optional<std::filesystem::path> soundfont;  // default: the standard Debian path
    int sample_rate = 44100;
    double gain_db = 0;
};

void add_audio_flags(CLI::App& cmd, AudioFlags& flags);

// Refuses, before any work, a WAV path that could not be written or a SoundFont that is not there.
void check_render(const std::filesystem::path& wav, const AudioFlags& flags);

void run_render(const std::filesystem::path& midi, const std::filesystem::path& wav, const AudioFlags& flags);
// Returns the picture's layout.
audio::PianoRollLayout run_plot(const std::filesystem::path& midi, const std::filesystem::path& png,
                                audio::PianoRollSize size = {});

}  // namespace pianola::app
