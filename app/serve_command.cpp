// `pianola serve`: the web studio. A local HTTP server (src/web) with one page: pick a model from
// the `*.pianola` files in --models, set what `generate` takes, optionally upload a primer, compose,
// then listen to the piece while a playhead crosses its piano roll, and download MIDI and WAV.
// Each job composes, renders and plots exactly as `generate --wav --png` does. The page also
// trains: uploaded MIDI files go to a worker process running `pianola baseline` and `pianola train`
// (training_worker), whose model joins --models when it ends. It runs until SIGINT or SIGTERM,
// then finishes the piece being composed, stops a training (its best model kept) and removes
// every job's files.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "Commands.h"
#include "CompositionRun.h"
#include "ComputeSetup.h"
#include "RenderRun.h"
#include "StopSignals.h"
#include "StudioPage.h"
#include "audio/SoundFont.h"
#include "eval/PieceStanding.h"
#include "midi/MidiReader.h"
#include "music/Score.h"
#include "music/Sustain.h"
#include "train/LmRecipe.h"
#include "web/StudioServer.h"

namespace pianola::app {

namespace {

struct ServeFlags {
    std::string host = "127.0.0.1";
    int port = 8080;
    std::filesystem::path models = ".";
    int threads = 0;
    double quota_mb = 4096;
    AudioFlags audio;
};

// Models stay loaded between jobs, with their guard index built: a job on a model used lately
// loads nothing. The jobs' one worker thread is the shelf's only user.
constexpr std::size_t models_kept = 4;

// What `pianola evaluate` measures of the written piece, each feature beside the model's held-out
// pieces' (whole pieces, as `evaluate` takes them), and the longest run it shares with the training
// pieces: {"figures": [{name, value, low, q1, median, q3, high, outside}], "longest_copy", "copy_limit"},
// for rewritten bars how well they fit ("infill_fit", in the model's bits, and whether a model trained
// to fill read the bars after them first), and for parts composed around a melody how they go with
// it ("accompaniment_fit").
nlohmann::json piece_figures(const ComposedFile& piece, compose::ReadyModel& ready) {
    nlohmann::json out = {{"figures", nlohmann::json::array()}};
    const music::Score score = music::heard(music::score_from_midi(midi::read_midi_file(piece.midi)));
    const std::vector<eval::MusicStats>& human = ready.held_out_stats();
    if (eval::measurable(score) && !human.empty())
        for (const eval::FeatureStanding& s : eval::piece_standing(eval::music_stats(score), human))
            out["figures"].push_back({{"name", s.name},     {"value", s.value}, {"low", s.low},   {"q1", s.q1},
                                      {"median", s.median}, {"q3", s.q3},       {"high", s.high}, {"outside", s.outside}});
    if (piece.longest_copy) {
        out["longest_copy"] = *piece.longest_copy;
        out["copy_limit"] = piece.copy_limit;
    }
    if (piece.infill)
        out["infill_fit"] = {{"region_bits_per_note", piece.infill->rewritten.bits_per_note},
                             {"original_bits_per_note", piece.infill->original.bits_per_note},
                             {"join_bits", piece.infill->rewritten.join_bits},
                             {"original_join_bits", piece.infill->original.join_bits},
                             {"looked_ahead", piece.looked_ahead}};
    if (piece.accompaniment) out["accompaniment_fit"] = accompaniment_fit_json(*piece.accompaniment);
    return out;
}

web::ComposeJobs::Work compose_render_plot(const AudioFlags& audio) {
    auto shelf = std::make_shared<compose::ReadyModels>(models_kept);
    return [audio, shelf](const web::ComposeOrder& order, const web::JobFiles& files,
                          const web::ComposeJobs::Report& report) {
        CompositionRequest request;
        request.model = order.model_path;
        request.out = files.midi;
        using Unit = compose::PieceLength::Unit;
        if (order.notes) request.length = {Unit::notes, static_cast<double>(*order.notes)};
        if (order.bars) request.length = {Unit::bars, static_cast<double>(*order.bars)};
        if (order.seconds) request.length = {Unit::seconds, *order.seconds};
        request.seed = order.seed;
        request.temperature = order.temperature;
        request.top_p = order.top_p;
        request.time_temperature = order.time_temperature;
        request.time_top_p = order.time_top_p;
        request.duration_temperature = order.duration_temperature;
        request.duration_top_p = order.duration_top_p;
        request.memory = order.memory;
        request.key_pull = order.key_pull;
        request.cadence = order.cadence;
        request.bass_pedal = order.bass_pedal;
        request.bpm = order.tempo;
        request.program = order.program;
        request.top_k = order.top_k;
        if (order.max_copy) request.max_copy = static_cast<std::size_t>(*order.max_copy);
        request.redraw = order.redraw;
        if (order.infill)
            request.infill = InfillRequest{files.primer, order.infill->first, order.infill->second,
                                           compose::infill_keep(order.keep)};
        else if (order.accompany)
            request.melody = files.primer;
        else if (!files.primer.empty())
            request.primer = files.primer;
        if (!order.chord.empty()) request.chord = order.chord;
        compose::ReadyModel& ready = shelf->get(order.model_path);
        const ComposedFile piece = run_composition(request, ready).front();
        nlohmann::json figures = piece_figures(piece, ready);
        report(web::JobStage::rendering);
        run_render(files.midi, files.wav, audio);
        report(web::JobStage::drawing);
        const audio::PianoRollSize size;
        // Where the piece's time lies in the picture, for the page's playhead.
        const audio::PianoRollLayout roll = run_plot(files.midi, files.png, size);
        figures["roll"] = {{"width", size.width}, {"height", size.height}, {"left", roll.left}, {"right", roll.right},
                           {"top", roll.top},     {"bottom", roll.bottom}, {"seconds", roll.seconds}};
        return figures;
    };
}

// A training from the page: the Kneser-Ney baseline on the same split (the chart's reference line),
// then `pianola train --json` in this same binary, four fifths of the budget training and the rest
// calibrating the decoding; a resumed one trains again from its checkpoint.
web::TrainingRuns::Launch training_worker(int threads) {
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    return [self, threads](const web::TrainingPlan& plan) {
        const std::string corpus = plan.corpus.string(), cores = std::to_string(threads);
        std::vector<std::vector<std::string>> steps;
        if (!plan.resume)
            steps.push_back({self, "baseline", "--data", corpus, "--order", "5", "--json", "--threads", cores});
        std::vector<std::string> train = {self, "train", "--data", corpus, "--out", plan.model.string(), "--preset",
                                          plan.preset, "--max-minutes", fmt::format("{}", 0.8 * plan.minutes),
                                          "--calibration-minutes", fmt::format("{}", 0.2 * plan.minutes), "--json",
                                          "--threads", cores};
        if (plan.fill_rate > 0) train.insert(train.end(), {"--fill-rate", fmt::format("{}", plan.fill_rate)});
        if (plan.resume) train.push_back("--resume");
        steps.push_back(std::move(train));
        return steps;
    };
}

void run_serve(const ServeFlags& flags) {
    // A server's log: each line as it happens, also into a pipe (a script waits for the URL line).
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    audio::find_soundfont(flags.audio.soundfont);
    setup_compute(flags.threads);
    web::StudioConfig config;
    config.host = flags.host;
    config.port = flags.port;
    config.models = flags.models;
    config.training.presets = train::lm_preset_names();
    config.quota_bytes = static_cast<std::uintmax_t>(flags.quota_mb * 1024 * 1024);
    config.page = {{"/index.html", "text/html; charset=utf-8", studio::index_html},
                   {"/studio.css", "text/css; charset=utf-8", studio::studio_css},
                   {"/studio.js", "text/javascript; charset=utf-8", studio::studio_js},
                   {"/train.js", "text/javascript; charset=utf-8", studio::train_js}};
    web::StudioServer server(std::move(config), compose_render_plot(flags.audio), training_worker(flags.threads));
    const int port = server.bind();
    const StopSignals signals([&server] { server.stop(); });
    fmt::print("pianola studio: http://{}:{}/ with the models in {}; Ctrl-C stops it\n", flags.host, port,
               std::filesystem::canonical(flags.models).string());
    if (flags.host != "127.0.0.1" && flags.host != "localhost" && flags.host != "::1")
        fmt::print(stderr,
                   "pianola studio: warning: listening on {} lets anyone who can reach this machine on port {} "
                   "compose with its models and read their pieces; there are no accounts\n",
                   flags.host, port);
    server.serve();
    const int signal = signals.received();
    fmt::print("pianola studio: stopped{}\n", signal ? fmt::format(" ({})", strsignal(signal)) : "");
}

}  // namespace

void add_serve_command(CLI::App& app) {
    auto flags = std::make_shared<ServeFlags>();
    CLI::App* cmd = app.add_subcommand("serve", "Start the web studio: compose, listen and look in a browser.");
    cmd->add_option("--port", flags->port, "Port to listen on (0: any free port, printed)")
        ->check(CLI::Range(0, 65535))->capture_default_str();
    cmd->add_option("--host", flags->host,
                    "Address to listen on; the default answers this machine only, 0.0.0.0 the whole network")
        ->capture_default_str();
    cmd->add_option("--models", flags->models, "Folder whose *.pianola model files the page offers")
        ->capture_default_str();
    add_audio_flags(*cmd, flags->audio);
    cmd->add_option("--threads", flags->threads, "Threads, for composing and for training (0: every core)")
        ->check(CLI::Range(0, 1024))->capture_default_str();
    cmd->add_option("--quota-mb", flags->quota_mb,
                    "Disk the studio may fill with models, trainings, uploads and pieces, in MiB")
        ->check(CLI::Range(1.0, 1e9))->capture_default_str();
    cmd->callback([flags] { run_serve(*flags); });
}

}  // namespace pianola::app
