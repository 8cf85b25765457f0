// pianola, the executable users run. Loading libtorch takes 0.5 s on a quiet machine and seconds on
// a busy one, so this binary links no libtorch: it runs `pianola midi ...` (the codec, whose answer
// on a bad file should take milliseconds) itself, and replaces itself with pianola-full, the
// binary beside it, for every other command, --help and --version included.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <CLI/CLI.hpp>

#include "CliRunner.h"
#include "Commands.h"

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "midi") {
        CLI::App app{"pianola: learns music from MIDI files with a neural network and composes new pieces.", "pianola"};
        app.require_subcommand(1);
        pianola::app::add_midi_command(app);
        return pianola::app::run_cli(app, argc, argv);
    }
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const std::filesystem::path full = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "pianola-full";
    // OpenMP threads that wait by sleeping, not spinning: the step kernel's threads meet at a barrier
    // every step, and on a busy machine a spinning thread burns the time slice its preempted partner
    // needs (20 pieces took 36 s instead of 1.05 s at a load of 4.5 on 2 cores). The user's own
    // setting wins; libgomp reads it only at start-up, hence here.
    setenv("OMP_WAIT_POLICY", "passive", /*overwrite=*/0);
    execv(full.c_str(), argv);
    std::fprintf(stderr, "pianola: error: %s: cannot run it (%s); it is built beside pianola\n", full.c_str(),
                 std::strerror(errno));
    return 1;
}
