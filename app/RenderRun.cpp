#include "RenderRun.h"

#include <fmt/core.h>

#include "MidiInput.h"
#include "audio/FluidRenderer.h"
#include "audio/Level.h"
#include "audio/SoundFont.h"
#include "audio/Timeline.h"
#include "audio/WavFile.h"
#include "io/AtomicFile.h"
#include "midi/TempoMap.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

void add_audio_flags(CLI::App& cmd, AudioFlags& flags) {
    cmd.add_option("--soundfont", flags.soundfont,
                   "General MIDI SoundFont (default: Debian's /usr/share/sounds/sf2/FluidR3_GM.sf2)");
    cmd.add_option("--rate", flags.sample_rate, "Sample rate in Hz")->check(CLI::Range(8000, 96000))
        ->capture_default_str();
    cmd.add_option("--gain", flags.gain_db,
                   "Gain in dB on the synthesizer's level; a piece that would then peak above -1 dBFS is "
                   "scaled down as a whole to -1 dBFS, so nothing clips")
        ->check(CLI::Range(-60.0, 60.0))->capture_default_str();
}

void check_render(const std::filesystem::path& wav, const AudioFlags& flags) {
    check_writable(wav);
    audio::find_soundfont(flags.soundfont);
}

void run_render(const std::filesystem::path& midi_path, const std::filesystem::path& wav, const AudioFlags& flags) {
    const midi::MidiFile file = read_midi_reporting_warnings(midi_path);
    const auto start = Clock::now();
    audio::Audio sound = audio::render_midi(file, midi_path.string(), audio::find_soundfont(flags.soundfont),
                                            {.sample_rate = flags.sample_rate});
    const double seconds = seconds_since(start);
    const audio::LevelReport level = audio::set_level(sound, flags.gain_db);
    audio::write_wav(wav, sound);
    const double music = audio::end_seconds(file, midi::TempoMap(file));
    fmt::print("rendered {} to {}: {:.1f} s of music + {:.1f} s tail, {} Hz, peak {:.1f} dBFS{}; {:.1f} s, {:.0f}x real time\n",
               midi_path.string(), wav.string(), music, sound.seconds() - music, sound.sample_rate, level.peak_dbfs,
               level.reduced_by_db > 0 ? fmt::format(" (scaled down {:.1f} dB)", level.reduced_by_db) : "", seconds,
               sound.seconds() / seconds);
}

audio::PianoRollLayout run_plot(const std::filesystem::path& midi_path, const std::filesystem::path& png,
                                audio::PianoRollSize size) {
    const midi::MidiFile file = read_midi_reporting_warnings(midi_path);
    const audio::PianoRollLayout layout = audio::write_piano_roll(file, midi_path.filename().string(), png, size);
    fmt::print("plotted {} to {} ({}x{})\n", midi_path.string(), png.string(), size.width, size.height);
    return layout;
}

}  // namespace pianola::app
