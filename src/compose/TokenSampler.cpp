#include "compose/TokenSampler.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace pianola::compose {

TokenSampler::TokenSampler(SamplingOptions options) : options_(options) {
    if (!(options.temperature >= 0)) throw std::invalid_argument("the temperature must be 0 (argmax) or more");
    if (options.top_k < 0) throw std::invalid_argument("top-k must be 0 (no cut) or more");
    if (!(options.top_p > 0 && options.top_p <= 1)) throw std::invalid_argument("top-p must be in (0, 1]");
}

std::int64_t TokenSampler::operator()(std::span<const float> logits, std::mt19937_64& rng) {
    const auto best = std::max_element(logits.begin(), logits.end());
    if (options_.temperature == 0) return best - logits.begin();
    // Weights exp((l - max) / T) in double: subtracting the max keeps exp finite; double keeps small
    // temperatures from underflowing every token but the best.
    const double top = *best, T = options_.temperature;
    const auto weight = [&](float l) { return std::exp((l - top) / T); };
    std::uniform_real_distribution<double> uniform(0, 1);
    if (options_.top_k == 0 && options_.top_p == 1) {
        // Two passes instead of a stored distribution: the total, then where the running sum passes the draw.
        double total = 0;
        for (const float l : logits) total += weight(l);
        double u = uniform(rng) * total;
        for (std::size_t i = 0; i < logits.size(); ++i) {
            u -= weight(logits[i]);
            if (u < 0) return static_cast<std::int64_t>(i);
        }
        return best - logits.begin();  // rounding left u a hair above the total: the likeliest token
    }
    candidates_.clear();
    double total = 0;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const double w = weight(logits[i]);
        if (w > 0) candidates_.emplace_back(w, static_cast<std::int64_t>(i));
        total += w;
    }
    // Ties keep id order, so a draw does not depend on the sort's implementation.
    const auto likelier = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::size_t kept = candidates_.size();
    if (options_.top_k > 0 && static_cast<std::size_t>(options_.top_k) < kept) {
        kept = static_cast<std::size_t>(options_.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(kept), candidates_.end(), likelier);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), likelier);
    }
    double mass = 0;
    for (std::size_t i = 0; i < kept; ++i) {
        mass += candidates_[i].first;
        if (mass >= options_.top_p * total) {
            kept = i + 1;
            break;
        }
    }
    mass = 0;
    for (std::size_t i = 0; i < kept; ++i) mass += candidates_[i].first;
    double u = uniform(rng) * mass;
    for (std::size_t i = 0; i < kept; ++i) {
        u -= candidates_[i].first;
        if (u < 0) return candidates_[i].second;
    }
    return candidates_.front().second;
}

}  // namespace pianola::compose
