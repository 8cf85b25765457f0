// Quantile: the value at a quantile of sorted values, interpolated linearly between neighbours
// (numpy's default), for the distance's bandwidth and a piece's standing among human pieces.
#pragma once

#include <cstddef>
#include <vector>

namespace pianola::eval {

// sorted: ascending, not empty; q in [0, 1].
inline double quantile(const std::vector<double>& sorted, double q) {
    const double at = q * static_cast<double>(sorted.size() - 1);
    const auto below = static_cast<std::size_t>(at);
    if (below + 1 >= sorted.size()) return sorted.back();
    return sorted[below] + (at - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

}  // namespace pianola::eval
