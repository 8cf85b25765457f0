#include "compose/TopPCalibration.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"

namespace pianola::compose {

std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info) {
    std::vector<eval::MusicStats> stats;
    if (!info.vocabulary.contains(music::piece_start_token)) return stats;
    for (const auto piece : split_pieces(info.held_out_ids, info.vocabulary.id(music::piece_start_token))) {
        std::vector<std::string> tokens;
        for (const std::int64_t id : piece) tokens.push_back(info.vocabulary.token(id));
        const music::Score score = piece_score(info, tokens);
        if (!score.notes.empty()) stats.push_back(eval::music_stats(score));
    }
    return stats;
}

TopPCalibration calibrate_top_p(model::LoadedModel& model, double temperature) {
    const std::vector<eval::MusicStats> human = held_out_stats(model.info);
    if (human.empty()) throw std::invalid_argument("the model holds no held-out pieces to calibrate against");
    std::vector<double> entropies;
    for (const eval::MusicStats& s : human) entropies.push_back(s.pitch_class_entropy);
    const auto middle = entropies.begin() + static_cast<std::ptrdiff_t>(entropies.size() / 2);
    std::nth_element(entropies.begin(), middle, entropies.end());

    TopPCalibration calibration;
    calibration.target_entropy = *middle;
    ComposeOptions options;
    options.length.amount = 150;  // enough notes for a pitch-class distribution, few enough to take a second
    options.count = 8;
    options.sampling.temperature = temperature;
    double best = INFINITY;
    for (const double top_p : {0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}) {
        options.sampling.top_p = top_p;
        double mean = 0;
        for (const ComposedPiece& piece : compose_lm(model, options, nullptr)) {
            const music::Score score = piece_score(model.info, piece.tokens);
            mean += score.notes.empty() ? 0 : eval::music_stats(score).pitch_class_entropy / options.count;
        }
        calibration.tried.emplace_back(top_p, mean);
        if (std::abs(mean - calibration.target_entropy) < best) {
            best = std::abs(mean - calibration.target_entropy);
            calibration.top_p = top_p;
        }
    }
    return calibration;
}

}  // namespace pianola::compose
