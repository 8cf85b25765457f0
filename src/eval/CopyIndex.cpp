#include "eval/CopyIndex.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace pianola::eval {

namespace {

// Stable counting sort of `order` by key[order[i]], keys in [0, buckets).
void sort_by(std::vector<std::uint32_t>& order, const std::vector<std::uint32_t>& key, std::size_t buckets,
             std::vector<std::uint32_t>& scratch) {
    std::vector<std::size_t> start(buckets + 1, 0);
    for (const std::uint32_t i : order) ++start[key[i] + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    scratch.resize(order.size());
    for (const std::uint32_t i : order) scratch[start[key[i]]++] = i;
    order.swap(scratch);
}

}  // namespace

CopyIndex::CopyIndex(const std::vector<std::vector<std::int32_t>>& pieces) {
    for (const auto& piece : pieces)
        for (const std::int32_t s : piece) {
            if (s < 0) throw std::invalid_argument("copy index symbols must not be negative");
            alphabet_ = std::max(alphabet_, s + 1);
        }
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        text_.insert(text_.end(), pieces[p].begin(), pieces[p].end());
        text_.push_back(alphabet_ + static_cast<std::int32_t>(p));
    }
    const std::size_t n = text_.size();
    if (n > UINT32_MAX / 2) throw std::invalid_argument("copy index: too many symbols");
    // Prefix doubling: after the round for k, suffixes are sorted by their first 2k symbols and
    // rank holds each suffix's class among those prefixes (equal prefixes, equal rank). A pass
    // sorts by the rank k symbols on (radix, low key first), then by its own rank.
    suffixes_.resize(n);
    std::iota(suffixes_.begin(), suffixes_.end(), 0u);
    std::vector<std::uint32_t> rank(n), next_rank(n), scratch;
    for (std::size_t i = 0; i < n; ++i) rank[i] = static_cast<std::uint32_t>(text_[i]);
    std::size_t classes = static_cast<std::size_t>(alphabet_) + pieces.size();
    sort_by(suffixes_, rank, classes, scratch);
    for (std::size_t k = 1;; k *= 2) {
        // By the second key: suffixes with nothing k symbols on come first, then the others in
        // the order of the suffix k later, which is already sorted.
        std::vector<std::uint32_t> order;
        order.reserve(n);
        for (std::size_t i = n - std::min(n, k); i < n; ++i) order.push_back(static_cast<std::uint32_t>(i));
        for (const std::uint32_t s : suffixes_)
            if (s >= k) order.push_back(static_cast<std::uint32_t>(s - k));
        sort_by(order, rank, classes, scratch);
        suffixes_.swap(order);
        const auto second = [&](std::uint32_t s) { return s + k < n ? static_cast<std::int64_t>(rank[s + k]) : -1; };
        std::uint32_t r = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0 && (rank[suffixes_[i]] != rank[suffixes_[i - 1]] || second(suffixes_[i]) != second(suffixes_[i - 1])))
                ++r;
            next_rank[suffixes_[i]] = r;
        }
        rank.swap(next_rank);
        classes = static_cast<std::size_t>(r) + 1;
        if (classes == n || k >= n) break;
    }
}

std::int32_t CopyIndex::at(std::size_t suffix, std::size_t offset) const {
    const std::size_t i = suffixes_[suffix] + offset;
    return i < text_.size() ? text_[i] : -1;
}

CopyIndex::Range CopyIndex::extend(Range range, std::int32_t symbol) const {
    if (range.empty() || symbol < 0 || symbol >= alphabet_) return {range.lo, range.lo, range.length + 1};
    // Within the range the symbols at offset `length` are ascending (-1, past the end, first).
    std::size_t lo = range.lo, hi = range.hi;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (at(mid, range.length) < symbol) lo = mid + 1; else hi = mid;
    }
    std::size_t end = lo;
    hi = range.hi;
    while (end < hi) {
        const std::size_t mid = end + (hi - end) / 2;
        if (at(mid, range.length) <= symbol) end = mid + 1; else hi = mid;
    }
    return {lo, end, range.length + 1};
}

CopyIndex::Range CopyIndex::find(std::span<const std::int32_t> run) const {
    Range range = everything();
    for (const std::int32_t s : run) {
        range = extend(range, s);
        if (range.empty()) break;
    }
    return range;
}

void CopyIndex::followers(Range range, std::vector<std::int32_t>& out) const {
    out.clear();
    for (std::size_t i = range.lo; i < range.hi;) {
        const std::int32_t s = at(i, range.length);
        if (s >= alphabet_) break;  // separators sort after every symbol
        if (s < 0) {
            ++i;
            continue;
        }
        out.push_back(s);
        i = extend({i, range.hi, range.length}, s).hi;
    }
}

std::size_t CopyIndex::longest_shared_run(std::span<const std::int32_t> piece) const {
    // A run found from start i means the run one shorter is found from i + 1: each start resumes
    // one symbol below the last start's length instead of from zero.
    std::size_t best = 0, length = 0;
    for (std::size_t i = 0; i < piece.size(); ++i) {
        length = length > 0 ? length - 1 : 0;
        Range range = find(piece.subspan(i, length));
        while (i + length < piece.size()) {
            const Range longer = extend(range, piece[i + length]);
            if (longer.empty()) break;
            range = longer;
            ++length;
        }
        best = std::max(best, length);
    }
    return best;
}

CopyIndex::Share CopyIndex::ngrams_found(std::span<const std::int32_t> piece, std::size_t n) const {
    Share share;
    for (std::size_t i = 0; n > 0 && i + n <= piece.size(); ++i) {
        ++share.total;
        share.found += !find(piece.subspan(i, n)).empty();
    }
    return share;
}

}  // namespace pianola::eval
