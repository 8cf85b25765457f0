// `pianola demo`: the whole job with no arguments. Trains the default preset for a few minutes on
// the MIDI files that Debian's pianobooster and mma packages ship (scripts/setup.sh installs
// them), then composes demo.mid, renders it to demo.wav and draws it in demo.png. It shows what
// pianola does; it is not a good model. It samples at temperature 0.7 rather than taking the
// argmax: after minutes of training the argmax falls into a loop of a few tokens, while sampling
// keeps the piece moving.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fmt/core.h>

#include "Commands.h"
#include "CompositionRun.h"
#include "RenderRun.h"
#include "DemoCorpus.h"
#include "TrainingRun.h"
#include "TokenizerFlags.h"
#include "io/AtomicFile.h"

namespace pianola::app {

namespace {

struct DemoFlags {
    std::filesystem::path out_dir = ".";
    double minutes = 2.5;
    int bars = 16;                   // a length in bars ends on a cadence
    std::optional<int> notes;        // instead of bars
    int threads = 0;
};

void run_demo(const DemoFlags& flags) {
    const auto model = flags.out_dir / "demo.pianola";
    const auto midi = flags.out_dir / "demo.mid";
    const auto wav = flags.out_dir / "demo.wav";
    const auto png = flags.out_dir / "demo.png";
    std::error_code made;  // a folder named for the demo's files is made, as `mkdir -p` would
    std::filesystem::create_directories(flags.out_dir, made);
    if (made) throw std::invalid_argument(flags.out_dir.string() + ": cannot make the folder: " + made.message());
    check_writable(midi);
    check_render(wav, {});
    check_writable(png);
    const std::vector<std::filesystem::path> data = demo_corpus_folders();

    std::string folders = data.front().string();
    for (std::size_t i = 1; i < data.size(); ++i) folders += " and " + data[i].string();
    fmt::print("pianola demo: learning from the MIDI files in {} for at most {} minutes\n", folders, flags.minutes);
    TrainingRequest request;
    request.data = data;
    request.out = model;
    request.recipe = train::lm_recipe("default");
    const CorpusTokenizer corpus = corpus_tokenizer({}, music::default_tokenizer(), data);
    request.tokenizer = corpus.tokenizer;
    request.pedalled_share = corpus.pedalled;
    fmt::print("{}\n", corpus.chosen);
    request.threads = flags.threads;
    request.max_seconds = flags.minutes * 60.0;
    run_training(request);
    CompositionRequest composition;
    composition.model = model;
    composition.out = midi;
    composition.length = flags.notes ? compose::PieceLength{compose::PieceLength::Unit::notes, static_cast<double>(*flags.notes)}
                                     : compose::PieceLength{compose::PieceLength::Unit::bars, static_cast<double>(flags.bars)};
    composition.redraw = 3;
    run_composition(composition);
    run_render(midi, wav, {});
    run_plot(midi, png);
    fmt::print("done: listen to {} ({}), look at {} (model: {}); next: pianola train --data YOUR_MIDI_FOLDER "
               "--out my.pianola\n",
               wav.string(), midi.string(), png.string(), model.string());
}

}  // namespace

void add_demo_command(CLI::App& app) {
    auto flags = std::make_shared<DemoFlags>();
    CLI::App* cmd = app.add_subcommand(
        "demo", "Train a small model on a bundled corpus; compose demo.mid, render demo.wav, draw demo.png.");
    cmd->add_option("--out-dir", flags->out_dir, "Folder for demo.pianola, demo.mid, demo.wav and demo.png")
        ->capture_default_str();
    cmd->add_option("--minutes", flags->minutes, "Training time budget")->check(CLI::Range(0.05, 600.0))
        ->capture_default_str();
    auto* bars = cmd->add_option("--bars", flags->bars, "Bars to compose, the last one a cadence on the key's tonic chord")
                     ->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_option("--notes", flags->notes, "Notes to compose instead of bars")->check(CLI::Range(1, 100000))->excludes(bars);
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([flags] { run_demo(*flags); });
}

}  // namespace pianola::app
