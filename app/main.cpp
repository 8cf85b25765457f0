// pianola-full, the whole command line: every subcommand, libtorch loaded. Users run `pianola`
// (launcher_main.cpp), which answers the quick codec commands itself and hands everything else
// here; running this binary directly works too.
#include <CLI/CLI.hpp>

#include "CliRunner.h"
#include "Commands.h"

int main(int argc, char** argv) {
    CLI::App app{"pianola: learns music from MIDI files with a neural network and composes new pieces.", "pianola"};
    app.set_version_flag("--version", PIANOLA_VERSION);
    app.require_subcommand(1);
    pianola::app::add_train_command(app);
    pianola::app::add_generate_command(app);
    pianola::app::add_evaluate_command(app);
    pianola::app::add_baseline_command(app);
    pianola::app::add_tokens_command(app);
    pianola::app::add_demo_command(app);
    pianola::app::add_render_command(app);
    pianola::app::add_plot_command(app);
    pianola::app::add_serve_command(app);
    pianola::app::add_midi_command(app);
    pianola::app::add_bench_command(app);
    return pianola::app::run_cli(app, argc, argv);
}
