#include "compose/TopPCalibration.h"

#include <algorithm>
#include <stdexcept>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"

namespace pianola::compose {

namespace {

// Enough notes for a key, a rhythm and repeats to show, few enough that a trial takes a fraction
// of a second. 16 pieces: with 8, the calibration of a Debian-corpus model ranked two settings
// the other way round from 20 pieces of 500 notes.
constexpr int calibration_pieces = 16;
constexpr double calibration_notes = 150;

// Pitch top-p first, with time tokens uncut; then the time top-p at the best pitch top-p. A full
// grid would take three times as long for little: the two cuts act on different tokens. On
// ff-piano, nottingham and the Debian corpus (6-minute models) time top-p 0.9 or 0.95 won; 0.7
// never did, and a lower pitch top-p than 0.4 was not needed.
constexpr double pitch_top_ps[] = {0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
constexpr double time_top_ps[] = {0.8, 0.9, 0.95};

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

TopPCalibration calibrate_top_p(model::LoadedModel& model, double temperature) {
    const std::vector<eval::MusicStats> human = held_out_stats(model.info, static_cast<std::size_t>(calibration_notes));
    if (human.empty()) throw std::invalid_argument("the model holds no held-out pieces to calibrate against");
    const TrainingCopies copies(model.info);
    const std::vector<std::size_t> human_runs = copies.held_out_runs();

    TopPCalibration calibration;
    calibration.pieces = calibration_pieces;
    calibration.notes = calibration_notes;
    calibration.longest_human_copy = human_runs.empty() ? 0 : *std::max_element(human_runs.begin(), human_runs.end());
    ComposeOptions options;
    options.length.amount = calibration_notes;
    options.count = calibration_pieces;
    options.sampling.temperature = temperature;
    const auto trial = [&](double top_p, double time_top_p) {
        options.sampling.top_p = top_p;
        options.sampling.time_top_p = time_top_p;
        TopPTrial t{top_p, time_top_p, {}, 0};
        std::vector<eval::MusicStats> composed;
        for (const ComposedPiece& piece : compose_lm(model, options, &copies)) {
            const music::Score score = piece_score(model.info, piece.tokens);
            if (!score.notes.empty()) composed.push_back(eval::music_stats(score));
            t.copying += !human_runs.empty() && piece.longest_copy > calibration.longest_human_copy;
        }
        // A setting whose pieces hold no notes at all is as far as can be.
        t.distance = composed.empty() ? eval::SetDistance{{}, 1} : eval::set_distance(composed, human);
        calibration.tried.push_back(t);
        const bool nearer = t.distance.total < calibration.tried[calibration.chosen].distance.total;
        if (calibration.tried.size() == 1 || nearer) calibration.chosen = calibration.tried.size() - 1;
    };
    for (const double top_p : pitch_top_ps) trial(top_p, 1);
    if (!time_tokens(model.info.tokenizer, model.info.vocabulary).empty()) {
        const double best_pitch = calibration.tried[calibration.chosen].top_p;
        for (const double time_top_p : time_top_ps) trial(best_pitch, time_top_p);
    }
    calibration.top_p = calibration.tried[calibration.chosen].top_p;
    calibration.time_top_p = calibration.tried[calibration.chosen].time_top_p;
    return calibration;
}

}  // namespace pianola::compose
