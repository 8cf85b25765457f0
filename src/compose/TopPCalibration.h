// TopPCalibration: the top-p a model composes with by default, measured for that model. A strong
// model of a clean corpus sounds like its corpus at top-p 0.95; a weaker one drifts out of key
// there and needs its unlikely tokens cut harder (on ff-piano a 15-minute model's pieces had a
// pitch-class entropy of 3.5 bits at 0.95 against the held-out pieces' 2.9). So after training,
// short pieces are composed at a few top-p values and the one whose pitch-class entropy is
// nearest the model's held-out human pieces' median wins. It does not change the model.
#pragma once

#include <vector>

#include "eval/MusicStats.h"
#include "model/ModelFile.h"

namespace pianola::compose {

// The model's held-out pieces, decoded, as MusicStats (pieces that decode to no notes left out).
std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info);

struct TopPCalibration {
    double top_p = 0.95;
    double target_entropy = 0;                     // the held-out pieces' median pitch-class entropy
    std::vector<std::pair<double, double>> tried;  // (top-p, the composed pieces' mean entropy)
};

// Throws std::invalid_argument for a model without held-out pieces or not a next-token model.
TopPCalibration calibrate_top_p(model::LoadedModel& model, double temperature);

}  // namespace pianola::compose
