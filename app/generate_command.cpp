// `pianola generate`: composes a piece with a trained model and writes it as MIDI (and, asked, as
// WAV and a piano-roll PNG).
#include <filesystem>
#include <optional>
#include <random>

#include "Commands.h"
#include "CompositionRun.h"
#include "ComputeSetup.h"
#include "RenderRun.h"
#include "io/AtomicFile.h"

namespace pianola::app {

namespace {

struct GenerateFlags {
    std::filesystem::path model, out;
    int notes = 500;
    int count = 1;
    std::optional<std::uint64_t> seed;
    double temperature = 0;
    int threads = 0;
    std::optional<std::filesystem::path> wav, png;
    AudioFlags audio;
};

void run_generate(const GenerateFlags& flags) {
    for (int k = 0; k < flags.count; ++k) {
        check_writable(piece_path(flags.out, k, flags.count));
        if (flags.wav) check_render(piece_path(*flags.wav, k, flags.count), flags.audio);
        if (flags.png) check_writable(piece_path(*flags.png, k, flags.count));
    }
    setup_compute(flags.threads);
    const std::vector<std::filesystem::path> pieces =
        run_composition({flags.model, flags.out, flags.notes, flags.count,
                         flags.seed ? *flags.seed : std::random_device{}(), flags.temperature});
    for (int k = 0; k < flags.count; ++k) {
        const std::filesystem::path& midi = pieces[static_cast<std::size_t>(k)];
        if (flags.wav) run_render(midi, piece_path(*flags.wav, k, flags.count), flags.audio);
        if (flags.png) run_plot(midi, piece_path(*flags.png, k, flags.count));
    }
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto flags = std::make_shared<GenerateFlags>();
    CLI::App* cmd = app.add_subcommand("generate", "Compose a new piece with a trained model.");
    cmd->add_option("--model", flags->model, "Model file written by `pianola train`")->required();
    cmd->add_option("--out", flags->out, "MIDI file to write")->required();
    cmd->add_option("--notes", flags->notes, "Number of notes to compose (a seed model counts a chord as one)")
        ->check(CLI::Range(1, 1000000))->capture_default_str();
    cmd->add_option("--count", flags->count, "Pieces to compose, as one batch; written as OUT-1.mid, OUT-2.mid, ...")
        ->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_option("--temperature", flags->temperature,
                    "0: the argmax, as the original design; above 0: sample, higher is more adventurous")
        ->check(CLI::Range(0.0, 100.0))->capture_default_str();
    cmd->add_option("--seed", flags->seed, "Random seed (default: a fresh one, printed); same seed, same piece");
    cmd->add_option("--wav", flags->wav, "Also render the piece to this WAV file (numbered as --out with --count)");
    cmd->add_option("--png", flags->png, "Also draw the piece as a piano roll in this PNG file");
    add_audio_flags(*cmd, flags->audio);
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([flags] { run_generate(*flags); });
}

}  // namespace pianola::app
