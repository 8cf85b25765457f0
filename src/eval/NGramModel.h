// NGramModel: an interpolated modified Kneser-Ney n-gram model over token ids, the count-based
// baseline the LSTM's cross-entropy is measured against. Standard library only, and exact: no
// pruning, no quantised probabilities, no hashed-away collisions (keys are the ids themselves).
// It is not a language-model toolkit: no ARPA files, no strings, no <unk> (every id below the
// vocabulary size is a word, seen in training or not), no incremental training.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "eval/CrossEntropy.h"

namespace pianola::eval {

// A hash table from a pair of 32-bit ids to a 32-bit value, open addressing with linear probing.
// Fitting makes tens of millions of lookups, and std::unordered_map's node per entry would make
// that allocation-bound; a flat table keeps a lookup to about one cache miss.
class IdPairMap {
public:
    struct Insertion {
        std::uint32_t& value;  // valid until the next insertion, which may move every slot
        bool inserted;
    };

    void reserve(std::size_t entries);
    const std::uint32_t* find(std::uint32_t first, std::uint32_t second) const;  // nullptr when absent
    // The value stored for the pair, set to value_if_new first when the pair is absent.
    Insertion try_emplace(std::uint32_t first, std::uint32_t second, std::uint32_t value_if_new);

    // visit(first, second, value) for every entry, in no particular order.
    template <class Visit>
    void for_each(Visit&& visit) const {
        for (const Slot& slot : slots_) {
            if (slot.key == empty_key) continue;
            visit(static_cast<std::uint32_t>(slot.key >> 32), static_cast<std::uint32_t>(slot.key), slot.value);
        }
    }

private:
    // Key and value side by side, so a probe costs one cache line, not two.
    struct Slot {
        std::uint64_t key;
        std::uint32_t value;
    };
    // No pair packs to all ones: callers keep both ids below 2^32 - 1.
    static constexpr std::uint64_t empty_key = ~std::uint64_t{0};

    static bool fits(std::size_t entries, std::size_t capacity);
    std::size_t slot_of(std::uint64_t key) const;  // the slot holding key, or the empty slot it would go in
    void rehash(std::size_t capacity);

    std::vector<Slot> slots_ = std::vector<Slot>(16, Slot{empty_key, 0});  // a power of two, so a mask wraps probes
    std::size_t size_ = 0;
};

// Interpolated Kneser-Ney as Chen & Goodman define it (1998, "An empirical study of smoothing
// techniques for language modeling"), with these choices:
//
// - Every sequence is [bos, t1, t2, ...]. bos is context only: it is never predicted, and no
//   context reaches left of it, so a token near the start is predicted from a shorter history.
// - The highest order counts occurrences. Lower orders count continuations, N1+(. w): how many
//   distinct ids precede the n-gram, since a lower order only speaks when the longer context was
//   unseen or discounted, and an n-gram that follows many contexts is the better guess there.
//   An n-gram that begins at the sequence's leading bos has nothing to its left, so each such
//   occurrence counts once, as in KenLM; the shortened histories near the start stay consistent.
// - Discounts D1, D2, D3+ per order from its counts of counts n1..n4 (modified Kneser-Ney):
//   Y = n1 / (n1 + 2 n2), Dk = k - (k + 1) Y n(k+1) / nk. Some data leave an nk at zero (a tiny
//   corpus; or a small vocabulary, whose unigrams all continue many contexts), where the estimate
//   is undefined or lands outside (0, k]; that order then uses KenLM's fallback 0.5, 1, 1.5
//   rather than a discount that removes all or none of the mass.
// - A context never seen at some order gets exactly the next lower order's distribution.
// - The unigram level is interpolated with the uniform 1/V, so every id, even one never seen,
//   has a non-zero probability. With order 1 the model is that smoothed unigram of raw counts.
//
// p(w | h) = max(c(h w) - D(c(h w)), 0) / c(h) + gamma(h) p(w | h without its first id), with
// gamma(h) = (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / c(h): what the discounts took away.
class NGramModel {
public:
    struct Discounts {
        // KenLM's fallback, used where the counts of counts cannot support an estimate.
        double one = 0.5;
        double two = 1.0;
        double three_plus = 1.5;

        // D(0) = 0: an n-gram never predicted (absent, or [bos], only ever a context) keeps nothing.
        double for_count(std::uint32_t count) const {
            return count == 0 ? 0 : count == 1 ? one : count == 2 ? two : three_plus;
        }
    };

    // order >= 1 (1 = unigram); ids are 0..vocab-1, vocab < 2^32; bos starts every sequence.
    NGramModel(int order, std::int64_t vocab, std::int64_t bos);

    // Counts every sequence; each must start with bos. Once only: a second corpus would need its
    // discounts re-estimated from the union, which is a new model.
    void fit(const std::vector<std::vector<std::int64_t>>& sequences);

    // ln p(token | context). context is the preceding ids of the token's sequence, bos first;
    // only its last order-1 ids are read (and checked). An unfitted model is uniform. Each call
    // looks every context up afresh, about order^2 / 2 table lookups; cross_entropy follows a
    // sequence along and needs about 2 order a token.
    double log_prob(std::span<const std::int64_t> context, std::int64_t token) const;

    // -ln p summed over every token after each sequence's leading bos; tokens = how many.
    CrossEntropy cross_entropy(const std::vector<std::vector<std::int64_t>>& sequences) const;

    int order() const { return order_; }
    std::int64_t vocab() const { return vocab_; }
    // What order n (1..order) was smoothed with, so a report can say whether the estimate held.
    const Discounts& discounts(int n) const;

private:
    // An n-gram, which is also the context of the n-grams one id longer that start with it.
    struct Node {
        std::uint32_t count = 0;    // what its order smooths: occurrences at the top order, else continuations
        std::uint32_t total = 0;    // as a context, c(h): the counts of its one-longer n-grams summed
        double backoff_weight = 0;  // as a context, gamma(h)
    };

    bool in_vocabulary(std::int64_t id) const;
    std::invalid_argument outside_vocabulary(std::int64_t id, const std::string& what) const;
    void check_sequence(const std::vector<std::int64_t>& sequence, std::size_t index) const;
    void reserve(const std::vector<std::uint64_t>& occurrences);
    IdPairMap::Insertion add_child(std::size_t n, std::uint32_t parent, std::int64_t id);
    void count(const std::vector<std::vector<std::int64_t>>& sequences);
    void estimate();
    // contexts[k] is the node of the last k ids, for each k = 0, 1, ... while that n-gram was
    // seen (a longer one cannot have been when a shorter was not), at most order - 1 of them.
    // next gets the contexts once id follows them.
    void advance(std::span<const std::uint32_t> contexts, std::int64_t id, std::vector<std::uint32_t>& next) const;
    double probability(std::span<const std::uint32_t> contexts, std::int64_t token) const;

    int order_;
    std::int64_t vocab_;
    std::int64_t bos_;
    bool fitted_ = false;
    // A trie of n-gram nodes, node 0 being the empty n-gram. children_[n - 1]: (node of n - 1 ids,
    // id) -> node of n ids, so one lookup per order finds every n-gram ending at a token, given
    // those that ended at the token before.
    std::vector<IdPairMap> children_;
    std::vector<Node> nodes_ = std::vector<Node>(1);
    std::vector<Discounts> discounts_;
};

}  // namespace pianola::eval
