// `pianola generate`: composes pieces with a trained model and writes them as MIDI (and, asked, as
// WAV and a piano-roll PNG): sampling controls, length in notes, bars or seconds, a primer, the
// originality guard and the loop check all go to CompositionRun; so do infilling (--infill FILE
// --bars A-B, where --bars names the bars to rewrite instead of a length) and accompanying (--melody FILE).
#include <filesystem>
#include <map>
#include <optional>
#include <random>

#include "Commands.h"
#include "BarRange.h"
#include "CompositionRun.h"
#include "ComputeSetup.h"
#include "RenderRun.h"
#include "io/AtomicFile.h"

namespace pianola::app {

namespace {

struct GenerateFlags {
    CompositionRequest request;
    std::optional<double> notes, seconds;
    std::optional<std::string> bars;  // a length, or with --infill the bars to rewrite: A-B or A
    std::optional<std::filesystem::path> infill, melody;
    std::optional<std::string> keep;
    std::optional<std::uint64_t> seed;
    std::optional<int> max_copy;
    int threads = 0;
    std::optional<std::filesystem::path> wav, png;
    AudioFlags audio;
};


double bar_length(const std::string& text) {
    std::size_t used = 0;
    double bars = 0;
    try {
        bars = std::stod(text, &used);
    } catch (const std::logic_error&) {
        used = 0;
    }
    if (used != text.size() || !(bars >= 1 && bars <= 1e5))
        throw std::invalid_argument("--bars takes a length of 1 to 100000 bars (or with --infill the bars to rewrite), not \"" +
                                    text + "\"");
    return bars;
}

void run_generate(GenerateFlags& flags) {
    CompositionRequest& request = flags.request;
    if (flags.infill) {
        if (!flags.bars) throw std::invalid_argument("--infill needs --bars: the bars to rewrite, as 9-12");
        if (flags.seconds || request.primer || request.chord || flags.max_copy || request.redraw > 0)
            throw std::invalid_argument(
                "--infill rewrites bars of its own file: --seconds, --primer, --chord, --max-copy and --redraw do not apply");
        const auto [first, last] = bar_range(*flags.bars);
        request.infill = InfillRequest{*flags.infill, first, last, compose::infill_keep(flags.keep.value_or(""))};
    } else if (flags.melody) {
        if (flags.bars || flags.seconds || flags.notes || request.primer || request.chord || flags.max_copy || request.redraw > 0 ||
            request.bpm)
            throw std::invalid_argument("--melody composes around its file, as long as it and at its tempo: --bars, --seconds, "
                                        "--notes, --primer, --chord, --max-copy, --redraw and --tempo do not apply");
        request.melody = flags.melody;
    } else if (flags.keep) {
        throw std::invalid_argument("--keep " + *flags.keep + " applies to --infill");
    } else if (flags.bars) {
        request.length = {compose::PieceLength::Unit::bars, bar_length(*flags.bars)};
    }
    if (flags.seconds) request.length = {compose::PieceLength::Unit::seconds, *flags.seconds};
    if (flags.notes) request.length = {compose::PieceLength::Unit::notes, *flags.notes};
    if (flags.max_copy) request.max_copy = static_cast<std::size_t>(*flags.max_copy);
    request.seed = flags.seed ? *flags.seed : std::random_device{}();
    for (int k = 0; k < request.count; ++k) {
        check_writable(piece_path(request.out, k, request.count));
        if (flags.wav) check_render(piece_path(*flags.wav, k, request.count), flags.audio);
        if (flags.png) check_writable(piece_path(*flags.png, k, request.count));
    }
    setup_compute(flags.threads);
    const std::vector<ComposedFile> pieces = run_composition(request);
    for (int k = 0; k < request.count; ++k) {
        const std::filesystem::path& midi = pieces[static_cast<std::size_t>(k)].midi;
        if (flags.wav) run_render(midi, piece_path(*flags.wav, k, request.count), flags.audio);
        if (flags.png) run_plot(midi, piece_path(*flags.png, k, request.count));
    }
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto flags = std::make_shared<GenerateFlags>();
    CompositionRequest& r = flags->request;
    CLI::App* cmd = app.add_subcommand("generate", "Compose new pieces with a trained model.");
    cmd->add_option("--model", r.model, "Model file written by `pianola train`")->required();
    cmd->add_option("--out", r.out, "MIDI file to write")->required();
    auto* notes = cmd->add_option("--notes", flags->notes,
                                  "Length in notes, after any primer (default: the model's held-out pieces' median, as calibrated; 500 for older models and seed models, which count a chord as one)")
                      ->check(CLI::Range(1.0, 1e6));
    auto* bars = cmd->add_option("--bars", flags->bars,
                                 "Length in bars (4/4 bars for time-shift and seed tokens); with --infill, the bars to "
                                 "rewrite (9-12)");
    cmd->add_option("--seconds", flags->seconds, "Length in seconds at the piece's tempo")
        ->check(CLI::Range(0.1, 1e6))->excludes(notes)->excludes(bars);
    notes->excludes(bars);
    auto* infill = cmd->add_option("--infill", flags->infill,
                                   "A MIDI file whose bars --bars A-B are rewritten to lead from the bars before into "
                                   "the bars after (the best of 8 drafts by the model's odds of the next two bars)")
                       ->check(CLI::ExistingFile);
    infill->excludes(notes);
    cmd->add_option("--melody", flags->melody,
                    "A MIDI file whose notes are kept: the model composes the other parts around them, below the "
                    "melody and in time with it, and they are added to the file as tracks of their own (8 drafts that go "
                    "on together, resampled by the model's odds of the melody's notes)")
        ->check(CLI::ExistingFile)->excludes(infill);
    cmd->add_option("--keep", flags->keep,
                    "With --infill: rhythm keeps every onset and duration, rewriting only pitches; chords draws new notes "
                    "from each bar's original pitch classes")
        ->check(CLI::IsMember({"rhythm", "chords"}));
    cmd->add_flag("--no-cadence", [flags](std::int64_t) { flags->request.cadence = false; },
                  "With --bars or --seconds, leave the last bar to the model instead of ending on the key's tonic chord");
    cmd->add_option("--count", r.count, "Pieces to compose, as one batch; written as OUT-1.mid, OUT-2.mid, ...")
        ->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_option("--temperature", r.temperature,
                    "0: the argmax; higher is more adventurous (default: 0.8, or 0 for a seed-design model as the "
                    "original); without --time-temperature, for time tokens too")->check(CLI::Range(0.0, 100.0));
    cmd->add_option("--top-k", r.top_k, "Sample only among the k likeliest tokens (0: all)")->check(CLI::Range(0, 100000))
        ->capture_default_str();
    cmd->add_option("--top-p", r.top_p,
                    "Sample only among the likeliest tokens that hold this much probability (default: the value `train` "
                    "calibrated for the model, else 0.95); with timed tokens, for pitches")->check(CLI::Range(0.01, 1.0));
    cmd->add_option("--time-top-p", r.time_top_p,
                    "The same for time tokens (bar, position, shift) and velocities, cut apart from pitches "
                    "(default: the value `train` calibrated for the model, else 1)")->check(CLI::Range(0.01, 1.0));
    cmd->add_option("--time-temperature", r.time_temperature,
                    "The temperature of time tokens and velocities (default: the value `train` calibrated for the model; "
                    "with --temperature, that)")->check(CLI::Range(0.01, 100.0));
    cmd->add_option("--duration-top-p", r.duration_top_p,
                    "The same for note durations, cut apart from time tokens (default: the value `train` calibrated for "
                    "the model, else the time tokens')")->check(CLI::Range(0.01, 1.0));
    cmd->add_option("--duration-temperature", r.duration_temperature,
                    "The temperature of note durations (default: the value `train` calibrated for the model, else the "
                    "time tokens')")->check(CLI::Range(0.01, 100.0));
    cmd->add_option("--seed", flags->seed, "Random seed (default: a fresh one, printed); same seed, same piece");
    auto* primer = cmd->add_option("--primer", r.primer, "A MIDI file to continue: the piece holds it, then what follows")
                       ->check(CLI::ExistingFile);
    auto* chord = cmd->add_option("--chord,--key", r.chord,
                                  "Or start from a chord, or a key's tonic chord, held for a bar: C, Am, F#m7, Bbmaj7, "
                                  "\"D minor\"");
    chord->excludes(primer);
    cmd->add_option("--max-copy", flags->max_copy,
                    "Originality guard: never let a run shared with the training pieces (in any key) grow past N tokens "
                    "(default: what the median held-out human piece shares; 0: no limit)")->check(CLI::Range(0, 1000000));
    cmd->add_option("--memory", r.memory,
                    "How strongly a piece's own earlier passages draw it to repeat them, as human pieces return to their "
                    "motifs: 1 as `train` fitted it on the held-out pieces, 0 off, up to 2 (default: as calibrated for "
                    "the model)")
        ->check(CLI::Range(0.0, 2.0));
    cmd->add_option("--key-pull", r.key_pull,
                    "How strongly a piece keeps to the scale it has set up, in every octave (timed tokens; "
                    "0: off; default: as calibrated for the model)")
        ->check(CLI::Range(0.0, 10.0));
    cmd->add_option("--bass-pedal", r.bass_pedal,
                    "on: hold the sustain pedal, changing it at each new bass note (at most once a beat), as pianists "
                    "pedal legato; off: none (default: on where at least a fifth of the training pieces press the pedal "
                    "and the model writes none itself)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}));
    cmd->add_option("--redraw", r.redraw, "Compose a piece caught in a loop again, up to N times")
        ->check(CLI::Range(0, 100))->capture_default_str();
    cmd->add_option("--tempo", r.bpm,
                    "Beats per minute at the start, tempo changes in proportion (default: the primer's, else what the "
                    "model's tempo tokens draw, else the training corpus' median)")
        ->check(CLI::Range(10.0, 400.0));
    cmd->add_option("--program", r.program,
                    "General MIDI instrument of every part but the drums, 0-127 (0: piano); default: the instruments "
                    "the model composed (the piano for a model trained with --instruments piano)")
        ->check(CLI::Range(0, 127));
    cmd->add_option("--wav", flags->wav, "Also render the piece to this WAV file (numbered as --out with --count)");
    cmd->add_option("--png", flags->png, "Also draw the piece as a piano roll in this PNG file");
    add_audio_flags(*cmd, flags->audio);
    cmd->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([flags] { run_generate(*flags); });
}

}  // namespace pianola::app
