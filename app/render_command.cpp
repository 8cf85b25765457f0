// `pianola render IN.mid --out OUT.wav`: plays a MIDI file through FluidSynth with a General MIDI
// SoundFont and writes the sound as a 16-bit stereo WAV, faster than real time. The WAV lasts as
// long as the MIDI file plus the release tail (src/audio/README.md).
#include <filesystem>

#include "Commands.h"
#include "RenderRun.h"

namespace pianola::app {

void add_render_command(CLI::App& app) {
    struct RenderFlags {
        std::filesystem::path in, out;
        AudioFlags audio;
    };
    auto flags = std::make_shared<RenderFlags>();
    CLI::App* cmd = app.add_subcommand("render", "Render a MIDI file to a WAV file with FluidSynth.");
    cmd->add_option("MIDI", flags->in, "MIDI file to play")->required();
    cmd->add_option("--out", flags->out, "WAV file to write")->required();
    add_audio_flags(*cmd, flags->audio);
    cmd->callback([flags] {
        check_render(flags->out, flags->audio);
        run_render(flags->in, flags->out, flags->audio);
    });
}

}  // namespace pianola::app
