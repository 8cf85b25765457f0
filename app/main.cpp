// pianola's entry point: builds the command line from the subcommands and is the one place that
// turns an error into a message. Library errors are exceptions; here they become a single line
// on stderr and exit status 1, never a stack trace.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <c10/util/Exception.h>

#include "Commands.h"

static int fail(const std::string& message) {
    std::string line = message.substr(0, message.find('\n'));
    std::fprintf(stderr, "pianola: error: %s\n", line.c_str());
    return 1;
}

int main(int argc, char** argv) {
    CLI::App app{"pianola: learns music from MIDI files with a neural network and composes new pieces.", "pianola"};
    app.set_version_flag("--version", PIANOLA_VERSION);
    app.require_subcommand(1);
    pianola::app::add_train_command(app);
    pianola::app::add_generate_command(app);
    pianola::app::add_baseline_command(app);
    pianola::app::add_tokens_command(app);
    pianola::app::add_demo_command(app);
    pianola::app::add_render_command(app);
    pianola::app::add_plot_command(app);
    pianola::app::add_midi_command(app);
    pianola::app::add_bench_command(app);
    if (argc == 1) {
        std::fputs(app.help().c_str(), stderr);
        return 1;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        return fail(e.what());
    } catch (const c10::Error& e) {
        return fail(e.what_without_backtrace());
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return 0;
}
