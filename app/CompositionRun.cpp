#include "CompositionRun.h"

#include <fmt/core.h>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"
#include "compose/Primer.h"
#include "compose/SeedComposer.h"
#include "compose/DecodingCalibration.h"
#include "compose/Accompany.h"
#include "compose/Infill.h"
#include "compose/ReadyModels.h"
#include "eval/MusicStats.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "music/AddedParts.h"
#include "music/BassPedal.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

std::filesystem::path piece_path(const std::filesystem::path& out, int k, int count) {
    if (count == 1) return out;
    std::filesystem::path numbered = out;
    numbered.replace_filename(fmt::format("{}-{}{}", out.stem().string(), k + 1, out.extension().string()));
    return numbered;
}

namespace {

std::uint32_t tempo_of(double bpm) { return static_cast<std::uint32_t>(std::lround(60e6 / bpm)); }

// --program as midi_from_score takes it: every non-drum note's instrument, or each note's own.
std::optional<std::uint8_t> every_program(std::optional<int> program) {
    if (!program) return std::nullopt;
    return static_cast<std::uint8_t>(*program);
}

void write_piece(const std::filesystem::path& path, const music::Score& score, std::optional<int> program) {
    midi::write_midi_file(path, music::midi_from_score(score, every_program(program)));
}

// The original design's pieces: a window of training tokens primes each, none of the controls
// that need a stateful model apply.
std::vector<ComposedFile> run_seed_composition(model::LoadedModel& model, const CompositionRequest& request) {
    const compose::PieceLength length = request.length.value_or(compose::PieceLength{});
    if (request.primer || request.chord || request.max_copy || request.redraw > 0 || request.infill || request.melody ||
        length.unit != compose::PieceLength::Unit::notes)
        throw std::invalid_argument("a seed-design model composes a number of notes from a training window: primers, "
                                    "--max-copy, --redraw, --bars, --seconds, --infill and --melody need a next-token model");
    const compose::SamplingOptions sampling{request.temperature.value_or(0), request.top_k, request.top_p.value_or(1)};
    const std::uint32_t tempo_us = request.bpm ? tempo_of(*request.bpm) : 500000;
    const auto start = Clock::now();
    std::vector<ComposedFile> written;
    for (int k = 0; k < request.count; ++k) {
        const auto piece = compose::compose_seed(model, static_cast<int>(length.amount),
                                                 request.seed + static_cast<std::uint64_t>(k), sampling);
        written.push_back({piece_path(request.out, k, request.count), std::nullopt, 0, std::nullopt, std::nullopt});
        write_piece(written.back().midi, compose::piece_score(model.info, piece.tokens, tempo_us), request.program);
    }
    fmt::print("composed {} piece{} of {} notes in {:.2f} s (seed {}); wrote {}\n", request.count,
               request.count > 1 ? "s" : "", length.amount, seconds_since(start), request.seed,
               written.back().midi.string());
    return written;
}

}  // namespace

std::vector<ComposedFile> run_composition(const CompositionRequest& request) {
    compose::ReadyModel ready(request.model);
    return run_composition(request, ready);
}

namespace {

// The decoding a request asks for, the model's calibrated values where it is silent.
struct Decoding {
    compose::SamplingOptions sampling;
    double memory_strength = 0;  // times the fitted weights
    model::MemoryWeights memory;
    double key_pull = 0;
};

Decoding decoding_of(const CompositionRequest& request, const model::ModelInfo& info) {
    Decoding d;
    d.sampling = {request.temperature.value_or(default_temperature), request.top_k,
                  request.top_p.value_or(info.training.value("top_p", default_top_p)),
                  request.time_top_p.value_or(info.training.value("time_top_p", default_time_top_p))};
    // --temperature alone sets both classes', as one temperature always did.
    if (request.time_temperature) d.sampling.time_temperature = request.time_temperature;
    else if (!request.temperature && info.training.contains("time_temperature"))
        d.sampling.time_temperature = info.training["time_temperature"].get<double>();
    // Durations as calibrated, unless the time tokens' values are asked for; a model calibrated before
    // durations were cut apart draws them as time tokens.
    d.sampling.duration_top_p = request.duration_top_p;
    if (!request.duration_top_p && !request.time_top_p && info.training.contains("duration_top_p"))
        d.sampling.duration_top_p = info.training["duration_top_p"].get<double>();
    d.sampling.duration_temperature = request.duration_temperature;
    if (!request.duration_temperature && !request.time_temperature && !request.temperature &&
        info.training.contains("duration_temperature"))
        d.sampling.duration_temperature = info.training["duration_temperature"].get<double>();
    d.memory_strength = request.memory.value_or(info.training.value("memory_strength", default_memory));
    d.memory = model::scaled(model::stored_memory_weights(info.training), d.memory_strength);
    d.key_pull = request.key_pull.value_or(info.training.value("key_pull", 0.0));
    return d;
}

// What `generate` says was kept of rewritten bars.
const char* kept_said(compose::InfillKeep keep) {
    switch (keep) {
    case compose::InfillKeep::rhythm: return " (pitches only)";
    case compose::InfillKeep::chords: return " (on the original chords)";
    case compose::InfillKeep::nothing: break;
    }
    return "";
}

// Bars of the request's piece rewritten, `count` times (seeds one after another).
std::vector<ComposedFile> run_infill(model::LoadedModel& model, const CompositionRequest& request) {
    const InfillRequest& fill = *request.infill;
    const FilePiece piece = file_piece(model.info, fill.piece);
    const Decoding decoding = decoding_of(request, model.info);
    compose::InfillOptions options;
    options.first_bar = fill.first_bar;
    options.last_bar = fill.last_bar;
    options.keep = fill.keep;
    options.sampling = decoding.sampling;
    options.memory = decoding.memory;
    options.key_pull = decoding.key_pull;
    const std::uint32_t tempo_us = request.bpm ? tempo_of(*request.bpm) : piece.tempo_us;
    const auto start = Clock::now();
    std::vector<ComposedFile> written;
    for (int k = 0; k < request.count; ++k) {
        options.seed = request.seed + static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(options.candidates);
        const compose::InfilledPiece filled = compose::infill(model, piece.tokens, options);
        written.push_back({piece_path(request.out, k, request.count), std::nullopt, 0, filled.fit, std::nullopt,
                           filled.looked_ahead});
        write_piece(written.back().midi, compose::piece_score(model.info, filled.tokens, tempo_us), request.program);
        fmt::print("{}: bars {}-{} rewritten{}{}: {:.2f} bits/note (the original bars: {:.2f}); the two bars after them "
                   "{:.1f} bits (after the original: {:.1f})\n",
                   written.back().midi.string(), fill.first_bar, fill.last_bar, kept_said(fill.keep),
                   filled.looked_ahead ? " toward the bars after them" : "",
                   filled.fit.rewritten.bits_per_note, filled.fit.original.bits_per_note, filled.fit.rewritten.join_bits,
                   filled.fit.original.join_bits);
    }
    fmt::print("infilled {} piece{} in {:.2f} s (seed {})\n", request.count, request.count > 1 ? "s" : "", seconds_since(start),
               request.seed);
    return written;
}

// Parts composed around the request's melody, `count` times: the melody's file with the parts
// added as tracks of their own.
std::vector<ComposedFile> run_accompaniment(model::LoadedModel& model, const CompositionRequest& request) {
    const midi::MidiFile given = midi::read_midi_file(*request.melody);
    const std::vector<std::string> melody = file_piece(model.info, given, *request.melody).tokens;
    const Decoding decoding = decoding_of(request, model.info);
    compose::AccompanyOptions options;
    options.sampling = decoding.sampling;
    options.memory = decoding.memory;
    options.key_pull = decoding.key_pull;
    const auto start = Clock::now();
    std::vector<ComposedFile> written;
    for (int k = 0; k < request.count; ++k) {
        options.seed = request.seed + static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(options.particles);
        const compose::AccompaniedPiece piece = compose::accompany(model, melody, options);
        const music::Score parts = compose::piece_score(model.info, compose::accompaniment_tokens(piece));
        written.push_back({piece_path(request.out, k, request.count), std::nullopt, 0, std::nullopt, piece.fit});
        try {
            midi::write_midi_file(written.back().midi, music::add_parts(given, parts, every_program(request.program)));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(request.melody->string() + ": " + e.what());
        }
        const compose::AccompanimentFit& fit = piece.fit;
        fmt::print("{}: {} notes around the melody's {} ({}); the model hears the melody at {:.2f} bits/note with them "
                   "({:.2f} alone)\n",
                   written.back().midi.string(), fit.accompaniment_notes, fit.melody_notes,
                   fit.in_key ? fmt::format("{:.0f}% in its key", 100 * *fit.in_key) : "drums only",
                   fit.melody_bits_per_note, fit.alone_bits_per_note);
    }
    fmt::print("accompanied {} piece{} in {:.2f} s (seed {})\n", request.count, request.count > 1 ? "s" : "",
               seconds_since(start), request.seed);
    return written;
}

}  // namespace

FilePiece file_piece(const model::ModelInfo& info, const std::filesystem::path& path) {
    return file_piece(info, midi::read_midi_file(path), path);
}

FilePiece file_piece(const model::ModelInfo& info, const midi::MidiFile& file, const std::filesystem::path& path) {
    const music::Score score = music::score_from_midi(file);
    try {
        return {compose::primer_tokens(info, score), score.tempo_us};
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(path.string() + ": " + e.what());
    }
}

std::vector<ComposedFile> run_composition(const CompositionRequest& request, compose::ReadyModel& ready) {
    model::LoadedModel& model = ready.model;
    if (std::holds_alternative<model::SeedModel>(model.net)) return run_seed_composition(model, request);
    if (request.infill) return run_infill(model, request);
    if (request.melody) return run_accompaniment(model, request);
    const model::ModelInfo& info = model.info;

    compose::ComposeOptions options;
    // As long as the median held-out piece, as calibrated: a folk tune's length, not a sonata's.
    options.length = request.length.value_or(
        compose::PieceLength{compose::PieceLength::Unit::notes, info.training.value("piece_notes", compose::PieceLength{}.amount)});
    options.cadence = request.cadence;
    options.seed = request.seed;
    const Decoding decoding = decoding_of(request, info);
    options.sampling = decoding.sampling;
    options.memory = decoding.memory;
    options.key_pull = decoding.key_pull;
    const bool timed = std::holds_alternative<music::TimedTokenizer>(info.tokenizer);
    std::uint32_t tempo_us = 0;  // the model's: its tempo tokens', else its corpus'
    if (request.primer) {
        FilePiece primer = file_piece(info, *request.primer);
        options.primer = std::move(primer.tokens);
        tempo_us = primer.tempo_us;
    }
    if (request.bpm) tempo_us = tempo_of(*request.bpm);
    if (request.chord)
        options.primer = compose::primer_tokens(info, compose::chord_score(info, *request.chord, tempo_us ? tempo_us : info.tempo_us));
    options.tempo_us = tempo_us;

    const compose::TrainingCopies& copies = *ready.copies();
    const std::size_t limit = request.max_copy ? *request.max_copy : ready.default_copy_limit();
    if (limit > 0) options.max_copy = limit;
    const std::vector<eval::MusicStats> human = request.redraw > 0 ? ready.held_out_stats() : std::vector<eval::MusicStats>{};

    const auto start = Clock::now();
    options.count = request.count;
    std::vector<compose::ComposedPiece> pieces = compose::compose_lm(model, options, &copies);
    const auto score_of = [&](const compose::ComposedPiece& piece) { return compose::piece_score(info, piece.tokens, tempo_us); };
    const auto loops = [&](const compose::ComposedPiece& piece) {
        const music::Score score = score_of(piece);
        return !eval::measurable(score) || eval::looks_degenerate(eval::music_stats(score), human);
    };
    int redrawn = 0, still_looping = 0;
    for (std::size_t k = 0; k < pieces.size(); ++k) {
        for (int attempt = 1; attempt <= request.redraw && loops(pieces[k]); ++attempt) {
            options.count = 1;
            options.seed = request.seed + k + static_cast<std::uint64_t>(attempt) * static_cast<std::uint64_t>(request.count);
            pieces[k] = std::move(compose::compose_lm(model, options, &copies).front());
            ++redrawn;
        }
        still_looping += request.redraw > 0 && loops(pieces[k]);
    }
    const double seconds = seconds_since(start);

    std::vector<ComposedFile> written;
    std::size_t longest = 0;
    const bool pedalled = request.bass_pedal.value_or(compose::pedalled_by_rule(info));
    for (int k = 0; k < request.count; ++k) {
        const compose::ComposedPiece& piece = pieces[static_cast<std::size_t>(k)];
        written.push_back({piece_path(request.out, k, request.count), piece.longest_copy, limit, std::nullopt, std::nullopt});
        music::Score score = score_of(piece);
        if (pedalled) music::pedal_at_bass_changes(score);
        write_piece(written.back().midi, score, request.program);
        longest = std::max(longest, piece.longest_copy);
        if (piece.guard_gave_way > 0)
            fmt::print("piece {}: the guard gave way {} times where nothing else could follow\n", k + 1, piece.guard_gave_way);
    }
    const char* unit = options.length.unit == compose::PieceLength::Unit::notes  ? "notes"
                       : options.length.unit == compose::PieceLength::Unit::bars ? "bars"
                                                                                 : "seconds";
    const std::string length = fmt::format("{} {}{}", options.length.amount, unit,
                                           request.length || !info.training.contains("piece_notes") ? "" : " (the held-out pieces' median)");
    const compose::SamplingOptions& sampling = options.sampling;
    const double time_temperature = sampling.time_temperature.value_or(sampling.temperature);
    const std::string temperature =
        timed ? fmt::format("temperature {} for pitches, {} for time, {} for durations", sampling.temperature,
                            time_temperature, sampling.duration_temperature.value_or(time_temperature))
              : fmt::format("temperature {}", sampling.temperature);
    const std::string top_p = timed ? fmt::format("top-p {} for pitches, {} for time, {} for durations", sampling.top_p,
                                                  sampling.time_top_p, sampling.duration_top_p.value_or(sampling.time_top_p))
                                    : fmt::format("top-p {}", sampling.top_p);
    const bool calibrated = !request.top_p && info.training.contains("top_p") &&
                            (!timed || (!request.time_top_p && info.training.contains("time_top_p")));
    fmt::print("composed {} in {:.2f} s (seed {}{}, {}, {}{}{}{}{}{}); wrote {}{}\n",
               request.count == 1 ? length : fmt::format("{} pieces of {}", request.count, length), seconds, request.seed,
               request.count > 1 ? fmt::format(" to {}", request.seed + static_cast<std::uint64_t>(request.count - 1)) : "",
               temperature, top_p, calibrated ? " as calibrated for the model" : "",
               options.memory.on() ? fmt::format(", piece memory x{}{}", decoding.memory_strength, request.memory ? "" : " as calibrated")
                                   : ", no piece memory",
               options.key_pull > 0 ? fmt::format(", key pull {}{}", options.key_pull, request.key_pull ? "" : " as calibrated") : "",
               options.primer.empty() ? "" : fmt::format(", after a primer of {} tokens", options.primer.size()),
               !pedalled ? ""
               : request.bass_pedal
                   ? ", pedalled at bass changes"
                   : fmt::format(", pedalled at bass changes as {:.0f}% of the training pieces are (--bass-pedal off: none)",
                                 100 * info.training.value("pedalled_share", 0.0)),
               written.front().midi.string(), request.count > 1 ? fmt::format(" to {}", written.back().midi.string()) : "");
    fmt::print("longest run shared with the training pieces (any key): {} tokens; limit {} ({})\n",
               longest, limit > 0 ? std::to_string(limit) : "none",
               request.max_copy ? "--max-copy" : "the median held-out piece's");
    if (request.redraw > 0)
        fmt::print("re-drew {} piece{} caught in a loop; {} still outside the held-out pieces' range\n", redrawn,
                   redrawn == 1 ? "" : "s", still_looping);
    return written;
}

nlohmann::json accompaniment_fit_json(const compose::AccompanimentFit& fit) {
    return {{"melody_notes", fit.melody_notes},
            {"notes", fit.accompaniment_notes},
            {"in_key", fit.in_key ? nlohmann::json(*fit.in_key) : nlohmann::json()},
            {"melody_bits_per_note", fit.melody_bits_per_note},
            {"alone_bits_per_note", fit.alone_bits_per_note}};
}

}  // namespace pianola::app
