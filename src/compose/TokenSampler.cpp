#include "compose/TokenSampler.h"

#include <algorithm>
#include <cmath>

namespace pianola::compose {

std::int64_t sample_token(std::span<const float> logits, double temperature, std::mt19937_64& rng) {
    const auto best = std::max_element(logits.begin(), logits.end());
    if (temperature == 0) return best - logits.begin();
    // Two passes over exp((l - max) / T) in double instead of a stored distribution: the total, then
    // the token where the running sum passes a uniform draw. Subtracting the max keeps exp finite;
    // double keeps small temperatures from underflowing every token but the best.
    const double top = *best;
    double total = 0;
    for (const float l : logits) total += std::exp((l - top) / temperature);
    double u = std::uniform_real_distribution<double>(0, total)(rng);
    for (std::size_t i = 0; i < logits.size(); ++i) {
        u -= std::exp((logits[i] - top) / temperature);
        if (u < 0) return static_cast<std::int64_t>(i);
    }
    return best - logits.begin();  // rounding left u a hair above the total: the likeliest token
}

}  // namespace pianola::compose
