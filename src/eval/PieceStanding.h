// PieceStanding: where one piece's MusicStats fall among a set of human pieces' (a model's
// held-out pieces), feature by feature: the piece's value beside the human pieces' median and
// quartiles, flagged where it leaves their whole range. What the studio shows under each piece;
// `pianola evaluate` compares sets of pieces (SetDistance), not one.
#pragma once

#include <string_view>
#include <vector>

#include "eval/MusicStats.h"

namespace pianola::eval {

struct FeatureStanding {
    std::string_view name;   // as stat_fields() names it
    double value = 0;        // the piece's
    double low = 0, q1 = 0, median = 0, q3 = 0, high = 0;  // the human pieces': least, quartiles, most
    bool outside = false;    // below their least or above their most
};

// One entry per stat_fields() feature, in its order. Throws std::invalid_argument without human pieces.
std::vector<FeatureStanding> piece_standing(const MusicStats& piece, const std::vector<MusicStats>& human);

}  // namespace pianola::eval
