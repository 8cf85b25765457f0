// TopPCalibration: the top-p values a model composes with by default, measured for that model:
// one for pitch tokens and one for time tokens (TokenSampler cuts them apart). A strong model of
// a clean corpus sounds like its corpus with little cut; a weaker one drifts out of key unless its
// unlikely pitches are cut, while cutting its unlikely time tokens flattens the rhythm (on
// ff-piano one top-p of 0.4 for both left 2 distinct inter-onset intervals against 6). So after
// training, short pieces are composed at a few settings and the one whose pieces are nearest the
// model's held-out human pieces wins, by eval::SetDistance over several features at once (pitch
// classes, key, rhythm, polyphony, range, repetition), the held-out pieces cut to the composed
// pieces' length so that length alone (range grows with it, repetition too) does not count.
// It also measures how much the pieces copy, for train's warning about folders too small for
// the model. It does not change the model.
#pragma once

#include <cstddef>
#include <vector>

#include "eval/MusicStats.h"
#include "eval/SetDistance.h"
#include "model/ModelFile.h"

namespace pianola::compose {

// The model's held-out pieces, decoded, as MusicStats (pieces that decode to no notes left out);
// with notes > 0, each cut to its first `notes` notes.
std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info, std::size_t notes = 0);

struct TopPTrial {
    double top_p = 1, time_top_p = 1;
    eval::SetDistance distance;   // the composed pieces' to the held-out pieces
    int copying = 0;              // pieces sharing a longer run with the training pieces than any held-out piece does
};

struct TopPCalibration {
    double top_p = 0.95, time_top_p = 1;  // the nearest trial's
    std::vector<TopPTrial> tried;
    std::size_t chosen = 0;               // into tried
    int pieces = 0;                       // composed per trial
    double notes = 0;                     // in each of them
    std::size_t longest_human_copy = 0;   // the longest run a held-out piece shares with the training pieces
};

// Throws std::invalid_argument for a model without held-out pieces or not a next-token model.
TopPCalibration calibrate_top_p(model::LoadedModel& model, double temperature);

}  // namespace pianola::compose
