// CopyIndex: a suffix array over pieces of symbols, to ask how long a run of a new sequence
// appears verbatim in them. It answers the originality guard during generation (can this run grow
// by one more symbol and still be found?) and `pianola evaluate` (the longest run a piece shares
// with a corpus, the share of its n-grams found there). Runs never cross from one piece into the
// next: each piece ends in a separator of its own that no query symbol equals.
// Symbols are whatever the caller makes them: token ids for exact copies, music::IntervalSpeller's
// symbols for copies in any transposition. It does not tokenize or know about music.
//
// Built by prefix doubling with counting sorts, O(N log N) for N symbols; a query narrows a range
// of suffixes one symbol at a time by binary search, O(log N) per symbol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pianola::eval {

class CopyIndex {
public:
    // Suffixes [lo, hi) of the array that start with the same `length` symbols: the occurrences
    // of one run. Empty (lo == hi) when the run occurs nowhere.
    struct Range {
        std::size_t lo = 0, hi = 0, length = 0;
        bool empty() const { return lo == hi; }
        std::size_t occurrences() const { return hi - lo; }
    };

    CopyIndex() = default;
    // pieces: symbols >= 0. Throws std::invalid_argument for a negative symbol.
    explicit CopyIndex(const std::vector<std::vector<std::int32_t>>& pieces);

    std::size_t size() const { return text_.size(); }  // symbols, separators included
    Range everything() const { return {0, suffixes_.size(), 0}; }
    // The occurrences of range's run followed by `symbol`.
    Range extend(Range range, std::int32_t symbol) const;
    Range find(std::span<const std::int32_t> run) const;  // everything() extended by each symbol
    // The distinct symbols that follow the range's run somewhere, ascending (separators left out).
    void followers(Range range, std::vector<std::int32_t>& out) const;

    // The longest run of `piece` found in the index, in symbols.
    std::size_t longest_shared_run(std::span<const std::int32_t> piece) const;
    // Of the piece's runs of n symbols, how many are found in the index (and how many it has).
    struct Share {
        std::size_t found = 0, total = 0;
    };
    Share ngrams_found(std::span<const std::int32_t> piece, std::size_t n) const;

private:
    std::int32_t at(std::size_t suffix, std::size_t offset) const;  // the symbol `offset` into a suffix; -1 past the end

    std::vector<std::int32_t> text_;       // pieces, each followed by its separator (alphabet + piece number)
    std::vector<std::uint32_t> suffixes_;  // start of each suffix, in lexicographic order
    std::int32_t alphabet_ = 0;            // symbols are below it, separators at or above it
};

}  // namespace pianola::eval
