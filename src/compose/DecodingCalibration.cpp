#include "compose/DecodingCalibration.h"

#include <algorithm>
#include <stdexcept>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"

namespace pianola::compose {

namespace {

// 16 pieces: with 8, the calibration of a Debian-corpus model ranked two settings the other way
// round from 20 pieces of 500 notes. As long as a held-out piece, from 150 notes (enough for a key,
// a rhythm and repeats to show) to 500 (enough for a piece to fall into a loop, as generate's
// default length is).
constexpr int calibration_pieces = 16;
constexpr std::size_t shortest_calibration = 150, longest_calibration = 500;

// Pitch top-p first, with time tokens uncut and the memory and key pull at middle strengths;
// then the memory's strength; then the key pull's; then the time top-p. A full grid would take
// many times as long for little: the four act on different things. On ff-piano, nottingham and the Debian corpus (6-minute
// models) time top-p 0.9 or 0.95 won; 0.7 never did, and a lower pitch top-p than 0.4 was not
// needed.
constexpr double pitch_top_ps[] = {0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
constexpr double first_memory = 0.7, first_key_pull = 0.5;
constexpr double memories[] = {0, 0.5, 0.6, 0.8, 0.9, 1};
constexpr double key_pulls[] = {0, 0.25, 1};
constexpr double time_top_ps[] = {0.8, 0.9, 0.95};

// The median held-out piece's notes, within the calibration's bounds.
std::size_t calibration_length(const std::vector<eval::MusicStats>& human) {
    std::vector<double> notes;
    for (const eval::MusicStats& s : human) notes.push_back(s.notes);
    if (notes.empty()) return shortest_calibration;
    std::nth_element(notes.begin(), notes.begin() + static_cast<std::ptrdiff_t>(notes.size() / 2), notes.end());
    return std::clamp(static_cast<std::size_t>(notes[notes.size() / 2]), shortest_calibration, longest_calibration);
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
    calibration.notes = calibration_length(held_out_stats(model.info));
    const std::vector<eval::MusicStats> human = held_out_stats(model.info, calibration.notes);
    if (human.empty()) throw std::invalid_argument("the model holds no held-out pieces to calibrate against");
    const TrainingCopies copies(model.info);
    const std::vector<std::size_t> human_runs = copies.held_out_runs();
    calibration.pieces = calibration_pieces;
    calibration.longest_human_copy = human_runs.empty() ? 0 : *std::max_element(human_runs.begin(), human_runs.end());

    const model::MemoryWeights memory = model::stored_memory_weights(model.info.training);
    ComposeOptions options;
    options.length.amount = static_cast<double>(calibration.notes);
    options.count = calibration_pieces;
    options.sampling.temperature = temperature;
    const auto trial = [&](DecodingTrial t) {
        options.sampling.top_p = t.top_p;
        options.sampling.time_top_p = t.time_top_p;
        options.memory = model::scaled(memory, t.memory);
        options.key_pull = t.key_pull;
        std::vector<eval::MusicStats> composed;
        for (const ComposedPiece& piece : compose_lm(model, options, &copies)) {
            const music::Score score = piece_score(model.info, piece.tokens);
            if (!score.notes.empty()) composed.push_back(eval::music_stats(score));
            t.copying += !human_runs.empty() && piece.longest_copy > calibration.longest_human_copy;
        }
        // A setting whose pieces hold no notes at all is as far as can be.
        t.distance = composed.empty() ? eval::SetDistance{{}, 1} : eval::set_distance(composed, human);
        calibration.tried.push_back(t);
        if (calibration.tried.size() == 1 || t.distance.total < calibration.chosen.distance.total) calibration.chosen = t;
    };
    const bool timed = !time_tokens(model.info.tokenizer, model.info.vocabulary).empty();
    const double strength = memory.on() ? first_memory : 0, key_pull = timed ? first_key_pull : 0;
    for (const double top_p : pitch_top_ps) trial({top_p, 1, strength, key_pull});
    if (memory.on())
        for (const double m : memories) trial({calibration.chosen.top_p, 1, m, key_pull});
    if (!timed) return calibration;
    for (const double k : key_pulls) trial({calibration.chosen.top_p, 1, calibration.chosen.memory, k});
    for (const double time_top_p : time_top_ps)
        trial({calibration.chosen.top_p, time_top_p, calibration.chosen.memory, calibration.chosen.key_pull});
    return calibration;
}

}  // namespace pianola::compose
