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
    // OpenMP threads that spin briefly, then sleep: the step kernels' threads meet several times per
    // layer every step. Sleeping at once (OMP_WAIT_POLICY=passive) doubled a 6 x 384 Transformer's
    // 1,250 steps (1.83 s against 0.99 s); libgomp's default long spin burns, on a busy machine, the
    // time slice a preempted partner needs (20 pieces took 36 s instead of 1.05 s at a load of 4.5 on
    // 2 cores). 2,000 spins: 6.7-7.0 s against passive's 6.3-7.3 s at a load of 6. The user's own
    // settings win; libgomp reads them only at start-up, hence here.
    if (!std::getenv("OMP_WAIT_POLICY")) setenv("GOMP_SPINCOUNT", "2000", /*overwrite=*/0);
    execv(full.c_str(), argv);
    std::fprintf(stderr, "pianola: error: %s: cannot run it (%s); it is built beside pianola\n", full.c_str(),
                 std::strerror(errno));
    return 1;
}
