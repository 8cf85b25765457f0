#include "eval/PieceStanding.h"

#include <algorithm>
#include <stdexcept>

#include "eval/Quantile.h"

namespace pianola::eval {

std::vector<FeatureStanding> piece_standing(const MusicStats& piece, const std::vector<MusicStats>& human) {
    if (human.empty()) throw std::invalid_argument("no human pieces to stand a piece among");
    std::vector<FeatureStanding> out;
    for (const StatField& field : stat_fields()) {
        std::vector<double> values;
        for (const MusicStats& h : human) values.push_back(field.get(h));
        std::sort(values.begin(), values.end());
        FeatureStanding s{field.name, field.get(piece), values.front(), quantile(values, 0.25), quantile(values, 0.5),
                          quantile(values, 0.75), values.back()};
        s.outside = s.value < s.low || s.value > s.high;
        out.push_back(s);
    }
    return out;
}

}  // namespace pianola::eval
