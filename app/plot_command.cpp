// `pianola plot IN.mid --out OUT.png`: draws a MIDI file as a piano roll (time across with bar
// lines, pitch up with octave labels, a colour per track, louder notes deeper).
#include <filesystem>

#include "Commands.h"
#include "RenderRun.h"
#include "io/AtomicFile.h"

namespace pianola::app {

void add_plot_command(CLI::App& app) {
    struct PlotFlags {
        std::filesystem::path in, out;
        audio::PianoRollSize size;
    };
    auto flags = std::make_shared<PlotFlags>();
    CLI::App* cmd = app.add_subcommand("plot", "Draw a MIDI file as a piano roll, as PNG.");
    cmd->add_option("MIDI", flags->in, "MIDI file to draw")->required();
    cmd->add_option("--out", flags->out, "PNG file to write")->required();
    cmd->add_option("--width", flags->size.width, "Picture width in pixels")->check(CLI::Range(320, 16384))
        ->capture_default_str();
    cmd->add_option("--height", flags->size.height, "Picture height in pixels")->check(CLI::Range(200, 16384))
        ->capture_default_str();
    cmd->callback([flags] {
        check_writable(flags->out);
        run_plot(flags->in, flags->out, flags->size);
    });
}

}  // namespace pianola::app
