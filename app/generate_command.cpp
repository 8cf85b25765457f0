// `pianola generate`: composes a piece with a trained model and writes it as MIDI.
#include <filesystem>
#include <optional>
#include <random>

#include "Commands.h"
#include "CompositionRun.h"
#include "ComputeSetup.h"
#include "io/AtomicFile.h"

namespace pianola::app {

namespace {

struct GenerateFlags {
    std::filesystem::path model, out;
    int notes = 500;
    std::optional<std::uint64_t> seed;
    double temperature = 0;
    int threads = 0;
};

void run_generate(const GenerateFlags& flags) {
    check_writable(flags.out);
    setup_compute(flags.threads);
    run_composition(flags.model, flags.out, flags.notes, flags.seed ? *flags.seed : std::random_device{}(),
                    flags.temperature);
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto flags = std::make_shared<GenerateFlags>();
    CLI::App* cmd = app.add_subcommand("generate", "Compose a new piece with a trained model.");
    cmd->add_option("--model", flags->model, "Model file written by `pianola train`")->required();
    cmd->add_option("--out", flags->out, "MIDI file to write")->required();
    cmd->add_option("--notes", flags->notes, "Number of notes or chords to compose")
        ->check(CLI::Range(1, 1000000))->capture_default_str();
    cmd->add_option("--temperature", flags->temperature,
                    "0: the argmax, as the original design; above 0: sample, higher is more adventurous")
        ->check(CLI::Range(0.0, 100.0))->capture_default_str();
    cmd->add_option("--seed", flags->seed, "Random seed (default: a fresh one, printed); same seed, same piece");
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([flags] { run_generate(*flags); });
}

}  // namespace pianola::app
