// `pianola evaluate`: composed MIDI files beside the held-out human pieces of a corpus, in musical
// statistics and in copying (eval::PieceEvaluation), as a table or JSON. The corpus is split as
// `train` splits it (same --val-split and --split-seed defaults), so the held-out pieces are the
// ones a model trained on it with those defaults never saw, and copying is measured against the
// rest, the pieces it learned from. The distance of the composed pieces to the held-out ones
// (eval::SetDistance) stands beside the human baseline: as many training pieces, drawn by a seed,
// against the same held-out pieces. With --model, --infill and --bars, it also says how well each
// piece's rewritten bars fit, as the model hears them, beside the original bars; with --model and
// --melody, how each piece's parts go with the melody they were composed around.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BarRange.h"
#include "Commands.h"
#include "CompositionRun.h"
#include "TokenCacheFlags.h"
#include "compose/Accompany.h"
#include "compose/Infill.h"
#include "eval/PieceEvaluation.h"
#include "eval/SetDistance.h"
#include "midi/MidiReader.h"
#include "music/Corpus.h"
#include "music/Sustain.h"
#include "train/LmRecipe.h"
#include "train/PieceSplit.h"

namespace pianola::app {

namespace {

struct EvaluateFlags {
    std::vector<std::filesystem::path> pieces, data;
    double val_split = train::lm_recipe("default").val_split;
    std::uint64_t split_seed = 1;
    std::uint64_t baseline_seed = 1;
    int threads = 0;
    bool json = false;
    TokenCacheFlags cache;
    // How well rewritten bars fit (`generate --infill`): the model, the piece before, its bars.
    std::optional<std::filesystem::path> model, infill;
    std::optional<std::string> bars;
    std::optional<std::filesystem::path> melody;  // how parts go with this melody (`generate --melody`)
};

// Each piece's bars A-B (and the two after them) as the model hears them, and the original's:
// {"bars", "original": {bits_per_note, join_bits}, "pieces": [the same, in piece order]}.
nlohmann::json infill_fits(const EvaluateFlags& flags) {
    if (!flags.model || !flags.infill || !flags.bars)
        throw std::invalid_argument("measuring rewritten bars takes --model, --infill (the piece before) and --bars A-B");
    const auto [first, last] = bar_range(*flags.bars);
    model::LoadedModel model = model::load_model(*flags.model);
    const auto fit_json = [&](const std::filesystem::path& path) {
        const compose::BarsFit fit = compose::bars_fit(model, file_piece(model.info, path).tokens, first, last);
        return nlohmann::json{{"bits_per_note", fit.bits_per_note}, {"join_bits", fit.join_bits}};
    };
    nlohmann::json out = {{"bars", *flags.bars}, {"original", fit_json(*flags.infill)}, {"pieces", nlohmann::json::array()}};
    for (const std::filesystem::path& piece : flags.pieces) out["pieces"].push_back(fit_json(piece));
    return out;
}

// How each piece's parts go with the melody, as the model hears them (compose::accompaniment_fit):
// {"melody", "pieces": [accompaniment_fit_json]}.
nlohmann::json accompaniment_fits(const EvaluateFlags& flags) {
    if (!flags.model) throw std::invalid_argument("measuring parts around a melody takes --model and --melody");
    model::LoadedModel model = model::load_model(*flags.model);
    const std::vector<std::string> melody = file_piece(model.info, *flags.melody).tokens;
    nlohmann::json out = {{"melody", flags.melody->string()}, {"pieces", nlohmann::json::array()}};
    for (const std::filesystem::path& path : flags.pieces) {
        const std::vector<std::string> piece = file_piece(model.info, path).tokens;
        const compose::AccompanimentFit fit =
            compose::accompaniment_fit(model, piece, compose::melody_marks(model.info, piece, melody), melody);
        out["pieces"].push_back(accompaniment_fit_json(fit));
    }
    return out;
}

eval::NamedScore named_score(const std::filesystem::path& path) {
    return {path.string(), music::score_from_midi(midi::read_midi_file(path))};
}

// The measures of a column of pieces: each statistic's mean and range.
struct Column {
    std::vector<double> mean, low, high;
};

std::vector<double> measures(const eval::PieceEvaluation& e) {
    std::vector<double> values;
    for (const eval::StatField& field : eval::stat_fields()) values.push_back(field.get(e.music));
    values.push_back(static_cast<double>(e.copy_exact));
    values.push_back(static_cast<double>(e.copy_any_key));
    values.push_back(e.shared_8grams);
    return values;
}

std::vector<std::string> measure_names() {
    std::vector<std::string> names;
    for (const eval::StatField& field : eval::stat_fields()) names.emplace_back(field.name);
    for (const char* name : {"copy_exact_tokens", "copy_any_key_tokens", "shared_8grams"}) names.emplace_back(name);
    return names;
}

Column summarize(const std::vector<eval::PieceEvaluation>& pieces) {
    Column c;
    for (const eval::PieceEvaluation& e : pieces) {
        const std::vector<double> v = measures(e);
        if (c.mean.empty()) c = {std::vector<double>(v.size(), 0), v, v};
        for (std::size_t i = 0; i < v.size(); ++i) {
            c.mean[i] += v[i] / static_cast<double>(pieces.size());
            c.low[i] = std::min(c.low[i], v[i]);
            c.high[i] = std::max(c.high[i], v[i]);
        }
    }
    return c;
}

nlohmann::json piece_json(const eval::PieceEvaluation& e) {
    nlohmann::json j = {{"file", e.name}, {"tokens", e.tokens}, {"loop", e.loop}};
    const std::vector<std::string> names = measure_names();
    const std::vector<double> values = measures(e);
    for (std::size_t i = 0; i < names.size(); ++i) j[names[i]] = values[i];
    return j;
}

// n of the indices, drawn without replacement by a seeded partial shuffle, in drawn order.
std::vector<std::size_t> drawn(std::vector<std::size_t> indices, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    n = std::min(n, indices.size());
    for (std::size_t i = 0; i < n; ++i) std::swap(indices[i], indices[i + rng() % (indices.size() - i)]);
    indices.resize(n);
    return indices;
}

std::vector<eval::MusicStats> music_of(const std::vector<eval::PieceEvaluation>& pieces) {
    std::vector<eval::MusicStats> stats;
    for (const eval::PieceEvaluation& e : pieces) stats.push_back(e.music);
    return stats;
}

nlohmann::json distance_json(const eval::SetDistance& d) {
    nlohmann::json j = {{"total", d.total}};
    for (const eval::FeatureDistance& f : d.features) j[std::string(f.name)] = f.distance;
    return j;
}

void run_evaluate(const EvaluateFlags& flags) {
    if (flags.melody && (flags.infill || flags.bars))
        throw std::invalid_argument("--melody measures parts around a melody, --infill and --bars rewritten bars: one at a time");
    const nlohmann::json fits = flags.infill || flags.bars || (flags.model && !flags.melody) ? infill_fits(flags) : nlohmann::json();
    const nlohmann::json around = flags.melody ? accompaniment_fits(flags) : nlohmann::json();
    const music::Corpus corpus = music::load_corpus(flags.data, flags.threads, music::TimedTokenizer(), token_cache_dir(flags.cache));
    const train::PieceSplit split = train::split_pieces(corpus.pieces.size(), flags.val_split, flags.split_seed);
    if (split.validation.empty()) throw std::invalid_argument("--val-split must hold out at least one piece");
    std::vector<eval::NamedScore> composed, held_out;
    std::vector<std::vector<std::string>> training;
    for (const auto& path : flags.pieces) composed.push_back(named_score(path));
    // Human files of drums alone have no pitches to measure: left out, as the calibration leaves them.
    for (const std::size_t i : split.validation)
        if (eval::NamedScore piece = named_score(corpus.pieces[i].path); eval::measurable(piece.score)) held_out.push_back(std::move(piece));
    for (const std::size_t i : split.train) training.push_back(corpus.tokens(corpus.pieces[i]));
    const eval::Evaluation evaluation = eval::evaluate_pieces(composed, held_out, training);
    const std::vector<eval::MusicStats> human = music_of(evaluation.held_out);
    std::vector<eval::MusicStats> sample;
    for (const std::size_t i : drawn(split.train, composed.size(), flags.baseline_seed))
        if (const music::Score score = named_score(corpus.pieces[i].path).score; eval::measurable(score))
            sample.push_back(eval::music_stats(music::heard(score)));
    const eval::SetDistance composed_distance = eval::set_distance(music_of(evaluation.composed), human),
                            baseline_distance = eval::set_distance(sample, human);

    if (flags.json) {
        nlohmann::json out = {{"composed", nlohmann::json::array()}, {"held_out", nlohmann::json::array()},
                              {"training_pieces", training.size()},
                              {"distance", {{"composed", distance_json(composed_distance)},
                                            {"training_sample", distance_json(baseline_distance)},
                                            {"training_sample_pieces", sample.size()}}}};
        for (const auto& e : evaluation.composed) out["composed"].push_back(piece_json(e));
        if (!fits.is_null()) {
            for (std::size_t i = 0; i < fits["pieces"].size(); ++i) out["composed"][i]["infill_fit"] = fits["pieces"][i];
            out["infill_original"] = fits["original"];
        }
        if (!around.is_null())
            for (std::size_t i = 0; i < around["pieces"].size(); ++i) out["composed"][i]["accompaniment_fit"] = around["pieces"][i];
        for (const auto& e : evaluation.held_out) out["held_out"].push_back(piece_json(e));
        fmt::print("{}\n", out.dump());
        return;
    }
    fmt::print("{} composed piece{} against {} held-out human pieces; copying against the other {} pieces\n",
               composed.size(), composed.size() == 1 ? "" : "s", held_out.size(), training.size());
    const Column c = summarize(evaluation.composed), h = summarize(evaluation.held_out);
    fmt::print("{:<22} {:>28} {:>28}\n", "", "composed: mean (min-max)", "held-out: mean (min-max)");
    const std::vector<std::string> names = measure_names();
    const auto cell = [](const Column& col, std::size_t i) {
        return fmt::format("{:.3g} ({:.3g}-{:.3g})", col.mean[i], col.low[i], col.high[i]);
    };
    for (std::size_t i = 0; i < names.size(); ++i) fmt::print("{:<22} {:>28} {:>28}\n", names[i], cell(c, i), cell(h, i));
    int loops = 0;
    for (const auto& e : evaluation.composed)
        if (e.loop) {
            ++loops;
            fmt::print("loop: {} (distinct 4-grams {:.3g}, longest repeat {})\n", e.name, e.music.distinct_4grams,
                       e.music.longest_repeat);
        }
    fmt::print("{} of {} composed pieces flagged as loops (outside the held-out pieces' range)\n", loops, composed.size());
    fmt::print("distance to the held-out pieces (1 - overlapping area of each feature's distribution; 0: alike, 1: disjoint)\n"
               "{:<22} {:>10} {:>28}\n", "", "composed", fmt::format("{} training pieces", sample.size()));
    for (std::size_t i = 0; i < composed_distance.features.size(); ++i)
        fmt::print("{:<22} {:>10.3f} {:>28.3f}\n", composed_distance.features[i].name, composed_distance.features[i].distance,
                   baseline_distance.features[i].distance);
    fmt::print("{:<22} {:>10.3f} {:>28.3f}\n", "total", composed_distance.total, baseline_distance.total);
    if (!around.is_null()) {
        fmt::print("parts around {} (the model's bits per melody note with the parts, and alone):\n", flags.melody->string());
        for (std::size_t i = 0; i < flags.pieces.size(); ++i) {
            const nlohmann::json& fit = around["pieces"][i];
            fmt::print("  {}: {} notes around the melody's {} ({}); {:.2f} bits/note with them ({:.2f} alone)\n",
                       flags.pieces[i].string(), fit["notes"].get<int>(), fit["melody_notes"].get<int>(),
                       fit["in_key"].is_null() ? "drums only" : fmt::format("{:.0f}% in its key", 100 * fit["in_key"].get<double>()),
                       fit["melody_bits_per_note"].get<double>(),
                       fit["alone_bits_per_note"].get<double>());
        }
    }
    if (fits.is_null()) return;
    fmt::print("bars {} as the model hears them (bits per note; the two bars after them, bits):\n", fits["bars"].get<std::string>());
    const auto fit_line = [](const std::string& name, const nlohmann::json& fit) {
        fmt::print("  {}: {:.2f} bits/note, then {:.1f} bits\n", name, fit["bits_per_note"].get<double>(), fit["join_bits"].get<double>());
    };
    fit_line(flags.infill->string() + " (the original bars)", fits["original"]);
    for (std::size_t i = 0; i < flags.pieces.size(); ++i) fit_line(flags.pieces[i].string(), fits["pieces"][i]);
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
    auto flags = std::make_shared<EvaluateFlags>();
    CLI::App* cmd = app.add_subcommand("evaluate", "Compare composed MIDI files with a corpus' held-out human pieces.");
    cmd->add_option("pieces", flags->pieces, "Composed MIDI files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--data", flags->data, "The corpus: folders or files of MIDI")->required();
    cmd->add_option("--val-split", flags->val_split, "Share of the corpus' pieces held out (as `train`)")
        ->check(CLI::Range(0.01, 0.9))->capture_default_str();
    cmd->add_option("--split-seed", flags->split_seed, "Which pieces are held out (as `train`)")->capture_default_str();
    cmd->add_option("--baseline-seed", flags->baseline_seed,
                    "Which training pieces, as many as the composed ones, are the human baseline of the distance")
        ->capture_default_str();
    cmd->add_option("--threads", flags->threads, "Threads reading the corpus (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_flag("--json", flags->json, "One JSON object: every piece's measures");
    cmd->add_option("--model", flags->model,
                    "With --infill and --bars, or --melody: the model whose odds measure rewritten bars, or parts around a melody")
        ->check(CLI::ExistingFile);
    cmd->add_option("--infill", flags->infill, "The piece whose bars the pieces rewrote (`generate --infill`)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--bars", flags->bars, "The bars rewritten, as 9-12");
    cmd->add_option("--melody", flags->melody,
                    "The melody the pieces' parts were composed around (`generate --melody`): how they go with it")
        ->check(CLI::ExistingFile);
    add_token_cache_flags(*cmd, flags->cache);
    cmd->callback([flags] { run_evaluate(*flags); });
}

}  // namespace pianola::app
