// FluidRenderer: a MIDI file played through FluidSynth with a SoundFont, offline, as fast as the
// CPU allows. pianola's own reader and TempoMap decide when each event sounds, so the audio keeps
// exactly the timing that the piano roll, the tokenizers and `pianola midi csv` see. It renders
// the channel messages and SysEx a General MIDI player obeys and ignores meta events (tempo is
// already in the times). It sets no level: the float output goes to the level stage (Level.h).
#pragma once

#include <filesystem>
#include <string>

#include "audio/Audio.h"
#include "midi/MidiFile.h"

namespace pianola::audio {

struct RenderSettings {
    int sample_rate = 44100;  // FluidSynth accepts 8000..96000
    // After the last event whatever still sounds is released (pedals up, all notes off) and the
    // tail is rendered until it has died away, at most this long.
    double max_tail_seconds = 5.0;
    // Longer files are refused before rendering: a piece is held in memory (8 bytes a frame).
    double max_seconds = 30 * 60.0;
};

// The WAV-to-be lasts from tick 0 to the file's last event (Timeline::end_seconds), plus the tail:
// blocks of 10 ms until one peaks 60 dB below the loudest sample so far (the RT60 convention),
// or max_tail_seconds. Events land on FluidSynth's 64-frame blocks (1.5 ms at 44.1 kHz).
// Throws FileError naming the SoundFont when it cannot be loaded, or `name` (the MIDI file) when
// the piece is too long.
Audio render_midi(const midi::MidiFile& file, const std::string& name, const std::filesystem::path& soundfont,
                  const RenderSettings& settings = {});

}  // namespace pianola::audio
