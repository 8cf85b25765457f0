#include "train/PieceSplit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace pianola::train {

PieceSplit split_pieces(std::size_t pieces, double fraction, std::uint64_t seed) {
    if (!(fraction >= 0 && fraction < 1)) throw std::invalid_argument("the validation split must be in [0, 1)");
    if (pieces == 0) throw std::invalid_argument("there are no pieces to split");
    std::size_t held_out = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(pieces)));
    if (fraction > 0) held_out = std::max<std::size_t>(held_out, 1);
    held_out = std::min(held_out, pieces - 1);

    std::vector<std::size_t> order(pieces);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    PieceSplit split;
    split.validation.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(held_out));
    split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(held_out), order.end());
    std::sort(split.validation.begin(), split.validation.end());
    std::sort(split.train.begin(), split.train.end());
    return split;
}

}  // namespace pianola::train
