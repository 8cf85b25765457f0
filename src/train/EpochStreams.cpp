#include "train/EpochStreams.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <span>
#include <stdexcept>

namespace pianola::train {

namespace {

// `ids` (a piece, piece start first) laid out to fill a gap of random bars; as it is where it has no bar.
std::vector<std::int64_t> arranged_at_random(std::span<const std::int64_t> ids, std::int64_t bar,
                                             const music::FillMarkers& markers, std::mt19937_64& rng) {
    std::vector<std::size_t> bar_starts;
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] == bar) bar_starts.push_back(i);
    const int bars = static_cast<int>(bar_starts.size());
    if (bars == 0) return {ids.begin(), ids.end()};
    const int gap = std::uniform_int_distribution<int>(1, std::min(bars, max_fill_bars))(rng);
    const int first = std::uniform_int_distribution<int>(0, bars - gap)(rng);
    return music::arranged_to_fill(ids, music::fill_cut(bar_starts, ids.size(), first, gap), markers);
}

}  // namespace

EpochStreams::EpochStreams(const SequenceSet& set, std::int64_t batch, std::int64_t seq, std::uint64_t seed,
                           int epoch, RowShare share, double fill_rate) {
    if (batch < 1 || seq < 1) throw std::invalid_argument("batch and sequence length must be at least 1");
    if (!(fill_rate >= 0 && fill_rate <= 1)) throw std::invalid_argument("the fill rate must be 0 to 1");
    const bool fill = set.fill && fill_rate > 0;
    std::seed_seq seeds{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                        static_cast<std::uint32_t>(epoch)};
    std::mt19937_64 rng(seeds);
    std::vector<std::size_t> order(set.train.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);

    // Laid out in the tensor the rows view, not in a vector copied into it: one copy of the
    // epoch (a 100,000-file corpus: 660 MB) instead of two. A piece laid out to fill holds 3 markers more.
    const std::int64_t most = set.train_tokens() + static_cast<std::int64_t>(set.train.size()) * (fill ? 4 : 1);
    torch::Tensor stream = torch::empty({most}, torch::kInt64);
    std::int64_t* const begin = stream.data_ptr<std::int64_t>();
    std::int64_t* out = begin;
    std::bernoulli_distribution fills(fill ? fill_rate : 0);
    for (std::size_t piece : order) {
        const std::vector<int>& shifts = set.train_shifts[piece];
        const int shift = shifts[std::uniform_int_distribution<std::size_t>(0, shifts.size() - 1)(rng)];
        const std::vector<std::int64_t>& moved = set.shift_ids[static_cast<std::size_t>(shift + set.transpose)];
        const std::size_t piece_begin = static_cast<std::size_t>(out - begin);
        for (std::int64_t id : set.train[piece]) *out++ = moved[static_cast<std::size_t>(id)];
        if (fill && fills(rng)) {
            const std::vector<std::int64_t> arranged = arranged_at_random(
                {begin + piece_begin, set.train[piece].size()}, set.bar, *set.fill, rng);
            out = std::copy(arranged.begin(), arranged.end(), begin + piece_begin);
        }
    }
    stream = stream.narrow(0, 0, out - begin);
    const std::int64_t predictions = stream.numel() - 1;
    if (predictions < 1) throw std::invalid_argument("the training pieces hold no token to learn");

    const std::int64_t shares = share.count;
    const std::int64_t all_rows = std::clamp<std::int64_t>(predictions / seq, 1, batch) / shares * shares;
    if (all_rows == 0)
        throw std::invalid_argument("the training pieces are too short to give each of " + std::to_string(shares) +
                                    " processes a row");
    chunk_ = std::min(seq, predictions / all_rows);
    steps_ = predictions / all_rows / chunk_;
    rows_ = all_rows / shares;
    const std::int64_t row_length = steps_ * chunk_ + 1;
    // Rows start row_length - 1 apart and overlap by one token: the last target of a row is the
    // first input of the next, so no prediction is lost at the cuts. One process reads the stream
    // in place; one of several keeps a copy of its share only.
    rows_tensor_ = stream.as_strided({all_rows, row_length}, {row_length - 1, 1}).narrow(0, share.index * rows_, rows_);
    if (shares > 1) rows_tensor_ = rows_tensor_.clone();
}

StreamBatch EpochStreams::batch(std::int64_t step) const {
    const std::int64_t begin = step * chunk_;
    return {rows_tensor_.slice(1, begin, begin + chunk_), rows_tensor_.slice(1, begin + 1, begin + chunk_ + 1)};
}

}  // namespace pianola::train
