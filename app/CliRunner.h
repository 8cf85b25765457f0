// The one place that turns an error into a message, shared by both executables (main.cpp and
// launcher_main.cpp): parses the command line and runs the chosen subcommand; library errors are
// exceptions, and here they become a single line on stderr and exit status 1, never a trace.
#pragma once

#include <CLI/CLI.hpp>

namespace pianola::app {

// Returns the process's exit status. With no arguments it prints the help and returns 1.
int run_cli(CLI::App& app, int argc, char** argv);

}  // namespace pianola::app
