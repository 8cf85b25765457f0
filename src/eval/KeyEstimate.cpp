#include "eval/KeyEstimate.h"

#include <cmath>
#include <limits>

namespace pianola::eval {

namespace {

// Krumhansl and Kessler (1982): how well each pitch class, from the tonic up, was heard to fit a
// major or a minor key context.
constexpr std::array<double, 12> major_profile{6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr std::array<double, 12> minor_profile{6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

// Pearson's correlation of counts with the profile turned to start at `tonic`.
double correlation(const std::array<double, 12>& counts, const std::array<double, 12>& profile, int tonic) {
    double mean_c = 0, mean_p = 0;
    for (std::size_t i = 0; i < 12; ++i) mean_c += counts[i] / 12, mean_p += profile[i] / 12;
    double cp = 0, cc = 0, pp = 0;
    for (std::size_t pc = 0; pc < 12; ++pc) {
        const double c = counts[pc] - mean_c, p = profile[(pc + 12 - static_cast<std::size_t>(tonic)) % 12] - mean_p;
        cp += c * p, cc += c * c, pp += p * p;
    }
    return cc > 0 ? cp / std::sqrt(cc * pp) : 0;
}

}  // namespace

Key estimate_key(const std::array<double, 12>& counts) {
    Key best;
    double best_r = -std::numeric_limits<double>::infinity();
    for (int tonic = 0; tonic < 12; ++tonic)
        for (const bool minor : {false, true}) {
            const double r = correlation(counts, minor ? minor_profile : major_profile, tonic);
            if (r > best_r) best_r = r, best = {tonic, minor};
        }
    return best;
}

}  // namespace pianola::eval
