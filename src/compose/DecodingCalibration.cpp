#include "compose/DecodingCalibration.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"

namespace pianola::compose {

namespace {

// 32 pieces: with 16, a nottingham model's calibration ranked the memory at x0.7 first and x0.9
// third, which 20 pieces composed after ranked the other way round. As long as the median held-out
// piece, which is how long generate composes by default: from 150 notes (enough for a key, a rhythm
// and repeats to show) to 1,000.
constexpr int calibration_pieces = 32;
constexpr std::size_t shortest_calibration = 150, longest_calibration = 1000;

// Pitch top-p first, with time tokens uncut at the pitches' temperature and the memory and key
// pull at middle strengths; then the time tokens' temperature and the memory's strength together,
// as they pull against each other (a hotter rhythm repeats less, a stronger memory more: on
// nottingham each alone made the pieces farther, memory x0.9 with time temperature 1 nearest); then the key
// pull's; then the time top-p. A full grid would take many times as long for little: the stages
// act on different things. On ff-piano, nottingham and the Debian corpus (6-minute models) time
// top-p 0.9 or 0.95 won; 0.7 never did, and a lower pitch top-p than 0.4 was not needed.
constexpr double pitch_top_ps[] = {0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
constexpr double time_temperatures[] = {0.8, 0.9, 1};
constexpr double first_memory = 0.7, first_key_pull = 0.5;
constexpr double memories[] = {0, 0.6, 0.8, 0.9, 1};
constexpr double key_pulls[] = {0, 0.25, 1};
constexpr double time_top_ps[] = {0.8, 0.9, 0.95};

// The median held-out piece's notes (0 for none).
std::size_t median_notes(const std::vector<eval::MusicStats>& human) {
    std::vector<double> notes;
    for (const eval::MusicStats& s : human) notes.push_back(s.notes);
    if (notes.empty()) return 0;
    std::nth_element(notes.begin(), notes.begin() + static_cast<std::ptrdiff_t>(notes.size() / 2), notes.end());
    return static_cast<std::size_t>(notes[notes.size() / 2]);
}

}  // namespace

std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info, std::size_t notes) {
    std::vector<eval::MusicStats> stats;
    if (!info.vocabulary.contains(music::piece_start_token)) return stats;
    for (const auto piece : split_pieces(info.held_out_ids, info.vocabulary.id(music::piece_start_token))) {
        std::vector<std::string> tokens;
        for (const std::int64_t id : piece) tokens.push_back(info.vocabulary.token(id));
        music::Score score = piece_score(info, tokens);
        if (notes > 0 && score.notes.size() > notes) score.notes.resize(notes);
        if (!score.notes.empty()) stats.push_back(eval::music_stats(score));
    }
    return stats;
}

DecodingCalibration calibrate_decoding(model::LoadedModel& model, double temperature) {
    DecodingCalibration calibration;
    std::vector<eval::MusicStats> human = held_out_stats(model.info);
    const std::size_t median = median_notes(human);
    if (median == 0) throw std::invalid_argument("the model holds no held-out pieces to calibrate against");
    calibration.notes = std::clamp(median, shortest_calibration, longest_calibration);
    // Whole held-out pieces, as `evaluate` compares with, unless the composed ones are shorter than
    // the median: then the longer held-out pieces are cut, so length alone (range and repetition
    // grow with it) does not count.
    if (calibration.notes < median) human = held_out_stats(model.info, calibration.notes);
    const TrainingCopies copies(model.info);
    const std::vector<std::size_t> human_runs = copies.held_out_runs();
    calibration.pieces = calibration_pieces;
    calibration.longest_human_copy = human_runs.empty() ? 0 : *std::max_element(human_runs.begin(), human_runs.end());

    const model::MemoryWeights memory = model::stored_memory_weights(model.info.training);
    ComposeOptions options;
    options.length.amount = static_cast<double>(calibration.notes);
    options.count = calibration_pieces;
    options.sampling.temperature = temperature;
    // Under the guard at generate's limit: it forbids some continuations, and so shapes the pieces.
    const std::size_t limit = human_runs.empty() ? 0 : default_copy_limit(human_runs);
    const auto use = [&](const DecodingTrial& t) {
        options.sampling.top_p = t.top_p;
        options.sampling.time_top_p = t.time_top_p;
        options.sampling.time_temperature = t.time_temperature;
        options.memory = model::scaled(memory, t.memory);
        options.key_pull = t.key_pull;
        options.max_copy = limit > 0 ? std::optional<std::size_t>(limit) : std::nullopt;
    };
    const auto trial = [&](DecodingTrial t) {
        use(t);
        std::vector<eval::MusicStats> composed;
        for (const ComposedPiece& piece : compose_lm(model, options, &copies)) {
            const music::Score score = piece_score(model.info, piece.tokens);
            if (!score.notes.empty()) composed.push_back(eval::music_stats(score));
        }
        // A setting whose pieces hold no notes at all is as far as can be.
        t.distance = composed.empty() ? eval::SetDistance{{}, 1} : eval::set_distance(composed, human);
        calibration.tried.push_back(t);
        if (calibration.tried.size() == 1 || t.distance.total < calibration.chosen.distance.total) calibration.chosen = t;
    };
    const bool timed = !time_tokens(model.info.tokenizer, model.info.vocabulary).empty();
    const double strength = memory.on() ? first_memory : 0, key_pull = timed ? first_key_pull : 0;
    // The later stages vary one setting of the best trial so far.
    const auto vary = [&](double DecodingTrial::*setting, double value) {
        DecodingTrial t = calibration.chosen;
        t.*setting = value;
        trial(t);
    };
    for (const double top_p : pitch_top_ps) trial({top_p, 1, temperature, strength, key_pull, {}});
    const DecodingTrial first = calibration.chosen;
    const std::vector<double> time_temperature_grid =
        timed ? std::vector<double>(std::begin(time_temperatures), std::end(time_temperatures)) : std::vector<double>{temperature};
    const std::vector<double> memory_grid =
        memory.on() ? std::vector<double>(std::begin(memories), std::end(memories)) : std::vector<double>{first.memory};
    for (const double t : time_temperature_grid)
        for (const double m : memory_grid)
            if (t != first.time_temperature || m != first.memory) {
                DecodingTrial next = first;
                next.time_temperature = t;
                next.memory = m;
                trial(next);
            }
    if (timed) {
        for (const double k : key_pulls) vary(&DecodingTrial::key_pull, k);
        for (const double time_top_p : time_top_ps) vary(&DecodingTrial::time_top_p, time_top_p);
    }
    // How much the model copies by itself, for train's small-folder warning: the chosen setting once
    // more without the guard (under it, no piece gets past the limit, so none would ever count).
    if (!human_runs.empty()) {
        use(calibration.chosen);
        options.max_copy.reset();
        for (const ComposedPiece& piece : compose_lm(model, options, &copies))
            calibration.copying += piece.longest_copy > calibration.longest_human_copy;
    }
    return calibration;
}

}  // namespace pianola::compose
