// NGramModel counts in one pass: each predicted token finds its n-grams of every order, one table
// lookup each, from those that ended at the token before; longest first, which is when a shorter
// n-gram learns that its left extension is new. Discounts and per-context totals come after, from
// the tables. Fitting is not thread-safe; a fitted model is only read, so threads may share it.
#include "eval/NGramModel.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace pianola::eval {

namespace {

// All ones is IdPairMap's empty key, so every id and node number stays below it.
constexpr std::uint32_t max_id = std::numeric_limits<std::uint32_t>::max() - 1;

std::uint64_t pack(std::uint32_t first, std::uint32_t second) { return std::uint64_t{first} << 32 | second; }

// splitmix64's finaliser: pairs of small consecutive ids, the usual keys, spread over the table.
std::uint64_t mix(std::uint64_t key) {
    key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
    key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
    return key ^ (key >> 31);
}

// Chen & Goodman's estimate, or the fallback where a zero count of counts leaves it undefined or
// outside (0, k] (Dk <= k always holds here, since only non-negative terms are subtracted).
NGramModel::Discounts estimate_discounts(const std::array<std::uint64_t, 4>& counts_of_counts) {
    if (std::find(counts_of_counts.begin(), counts_of_counts.end(), 0) != counts_of_counts.end()) return {};
    const auto [n1, n2, n3, n4] = counts_of_counts;
    const double y = static_cast<double>(n1) / static_cast<double>(n1 + 2 * n2);
    const NGramModel::Discounts estimated{1 - 2 * y * static_cast<double>(n2) / static_cast<double>(n1),
                                          2 - 3 * y * static_cast<double>(n3) / static_cast<double>(n2),
                                          3 - 4 * y * static_cast<double>(n4) / static_cast<double>(n3)};
    if (estimated.one <= 0 || estimated.two <= 0 || estimated.three_plus <= 0) return {};
    return estimated;
}

}  // namespace

const std::uint32_t* IdPairMap::find(std::uint32_t first, std::uint32_t second) const {
    const Slot& slot = slots_[slot_of(pack(first, second))];
    return slot.key == empty_key ? nullptr : &slot.value;
}

void IdPairMap::reserve(std::size_t entries) {
    std::size_t capacity = slots_.size();
    while (!fits(entries, capacity)) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
}

IdPairMap::Insertion IdPairMap::try_emplace(std::uint32_t first, std::uint32_t second, std::uint32_t value_if_new) {
    if (!fits(size_ + 1, slots_.size())) rehash(slots_.size() * 2);
    const std::uint64_t key = pack(first, second);
    Slot& slot = slots_[slot_of(key)];
    if (slot.key == key) return {slot.value, false};
    slot = Slot{key, value_if_new};
    ++size_;
    return {slot.value, true};
}

std::size_t IdPairMap::slot_of(std::uint64_t key) const {
    const std::size_t mask = slots_.size() - 1;
    std::size_t index = static_cast<std::size_t>(mix(key)) & mask;
    while (slots_[index].key != key && slots_[index].key != empty_key) index = (index + 1) & mask;
    return index;
}

bool IdPairMap::fits(std::size_t entries, std::size_t capacity) {
    // Linear probing slows sharply past three quarters full.
    return entries * 4 <= capacity * 3;
}

void IdPairMap::rehash(std::size_t capacity) {
    std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity, Slot{empty_key, 0}));
    for (const Slot& slot : old) {
        if (slot.key != empty_key) slots_[slot_of(slot.key)] = slot;
    }
}

NGramModel::NGramModel(int order, std::int64_t vocab, std::int64_t bos)
    : order_(order), vocab_(vocab), bos_(bos) {
    if (order < 1) throw std::invalid_argument("n-gram order must be at least 1, got " + std::to_string(order));
    if (vocab < 1) throw std::invalid_argument("vocabulary size must be at least 1, got " + std::to_string(vocab));
    if (vocab > std::int64_t{max_id} + 1) {
        throw std::invalid_argument("vocabulary size " + std::to_string(vocab) +
                                    " does not fit the n-gram model's 32-bit ids");
    }
    if (!in_vocabulary(bos)) throw outside_vocabulary(bos, "bos");
    children_.resize(static_cast<std::size_t>(order));
    discounts_.resize(static_cast<std::size_t>(order));
}

const NGramModel::Discounts& NGramModel::discounts(int n) const {
    if (n < 1 || n > order_) {
        throw std::invalid_argument("order " + std::to_string(n) + " is not between 1 and " + std::to_string(order_));
    }
    return discounts_[static_cast<std::size_t>(n - 1)];
}

bool NGramModel::in_vocabulary(std::int64_t id) const { return id >= 0 && id < vocab_; }

std::invalid_argument NGramModel::outside_vocabulary(std::int64_t id, const std::string& what) const {
    return std::invalid_argument(what + " id " + std::to_string(id) + " is outside the vocabulary 0.." +
                                 std::to_string(vocab_ - 1));
}

void NGramModel::check_sequence(const std::vector<std::int64_t>& sequence, std::size_t index) const {
    const std::string which = "sequence " + std::to_string(index);
    if (sequence.empty()) {
        throw std::invalid_argument(which + " is empty; it must start with bos " + std::to_string(bos_));
    }
    if (sequence.front() != bos_) {
        throw std::invalid_argument(which + " starts with " + std::to_string(sequence.front()) + ", not bos " +
                                    std::to_string(bos_));
    }
    for (std::size_t position = 1; position < sequence.size(); ++position) {
        if (!in_vocabulary(sequence[position])) {
            throw outside_vocabulary(sequence[position], which + ", position " + std::to_string(position) + ":");
        }
    }
}

void NGramModel::fit(const std::vector<std::vector<std::int64_t>>& sequences) {
    if (fitted_) {
        throw std::logic_error("NGramModel::fit was already called; fit a new model on the combined sequences");
    }
    // occurrences[n - 1]: how many order-n n-grams the sequences hold. Bounding their sum keeps the
    // 32-bit node numbers and counts from wrapping, long before memory would run out anyway.
    std::vector<std::uint64_t> occurrences(static_cast<std::size_t>(order_), 0);
    for (std::size_t index = 0; index < sequences.size(); ++index) {
        check_sequence(sequences[index], index);
        const std::size_t length = sequences[index].size();
        // An order-n n-gram ends at a predicted position at least n - 1.
        for (std::size_t n = 1; n <= occurrences.size() && std::max<std::size_t>(n - 1, 1) < length; ++n) {
            occurrences[n - 1] += length - std::max<std::size_t>(n - 1, 1);
        }
    }
    const std::uint64_t total = std::accumulate(occurrences.begin(), occurrences.end(), std::uint64_t{0});
    if (total + 2 > max_id) {  // the empty n-gram and [bos] are nodes too
        throw std::length_error("too much data for the n-gram model's 32-bit counts: " + std::to_string(total) +
                                " n-gram occurrences");
    }
    reserve(occurrences);
    fitted_ = true;
    count(sequences);
    estimate();
}

void NGramModel::reserve(const std::vector<std::uint64_t>& occurrences) {
    // Distinct n-grams are bounded by both the occurrences and V^n. Sizing the tables for that
    // bound up front costs memory only where the data repeats itself, and saves rehashing every
    // table several times over while counting (a fifth of the fitting time, measured at order 8).
    std::uint64_t possible = 1;
    std::uint64_t nodes = 2;
    for (std::size_t n = 1; n <= occurrences.size(); ++n) {
        possible = std::min(possible * static_cast<std::uint64_t>(vocab_), std::uint64_t{1} << 32);
        const std::uint64_t distinct = std::min(occurrences[n - 1], possible);
        children_[n - 1].reserve(n == 1 ? distinct + 1 : distinct);  // [bos] is a unigram node too
        nodes += distinct;
    }
    nodes_.reserve(nodes);
}

IdPairMap::Insertion NGramModel::add_child(std::size_t n, std::uint32_t parent, std::int64_t id) {
    const auto next = static_cast<std::uint32_t>(nodes_.size());
    const IdPairMap::Insertion child = children_[n - 1].try_emplace(parent, static_cast<std::uint32_t>(id), next);
    if (child.inserted) nodes_.emplace_back();
    return child;
}

void NGramModel::count(const std::vector<std::vector<std::int64_t>>& sequences) {
    // [k]: the node of the k ids ending at the token before / at this one (k = 0: the empty n-gram).
    std::vector<std::uint32_t> ending_before(static_cast<std::size_t>(order_), 0);
    std::vector<std::uint32_t> ending_here(static_cast<std::size_t>(order_), 0);
    for (const std::vector<std::int64_t>& sequence : sequences) {
        // bos is a context, not a prediction: its node is made but never counted.
        if (order_ > 1) ending_before[1] = add_child(1, 0, bos_).value;
        for (std::size_t position = 1; position < sequence.size(); ++position) {
            const std::size_t longest = std::min(static_cast<std::size_t>(order_), position + 1);
            // The longest n-gram here counts this occurrence: at the highest order that is the raw
            // count, below it the n-gram starts at bos and so has no left extension to count instead.
            // Shorter ones count a continuation when the n-gram one longer was new. Going from the
            // longest down tells each n-gram that before it is looked up.
            bool longer_was_new = false;
            for (std::size_t n = longest; n >= 1; --n) {
                const IdPairMap::Insertion ngram = add_child(n, ending_before[n - 1], sequence[position]);
                const std::uint32_t node = ngram.value;
                if (n == longest || longer_was_new) ++nodes_[node].count;
                longer_was_new = ngram.inserted;
                if (n < ending_here.size()) ending_here[n] = node;
            }
            std::swap(ending_before, ending_here);
        }
    }
}

void NGramModel::estimate() {
    for (std::size_t n = 1; n <= children_.size(); ++n) {
        std::array<std::uint64_t, 4> counts_of_counts{};
        children_[n - 1].for_each([&](std::uint32_t, std::uint32_t, std::uint32_t node) {
            const std::uint32_t count = nodes_[node].count;
            if (count >= 1 && count <= counts_of_counts.size()) ++counts_of_counts[count - 1];
        });
        discounts_[n - 1] = estimate_discounts(counts_of_counts);

        // Each context predicts at exactly one order, so its discounted mass sums here in full.
        const Discounts& discounts = discounts_[n - 1];
        children_[n - 1].for_each([&](std::uint32_t parent, std::uint32_t, std::uint32_t node) {
            const std::uint32_t count = nodes_[node].count;
            nodes_[parent].total += count;
            nodes_[parent].backoff_weight += discounts.for_count(count);
        });
    }
    for (Node& node : nodes_) {
        if (node.total > 0) node.backoff_weight /= node.total;
    }
}

void NGramModel::advance(std::span<const std::uint32_t> contexts, std::int64_t id,
                         std::vector<std::uint32_t>& next) const {
    next.assign(1, 0);
    for (std::size_t k = 1; k < static_cast<std::size_t>(order_) && k <= contexts.size(); ++k) {
        const std::uint32_t* longer = children_[k - 1].find(contexts[k - 1], static_cast<std::uint32_t>(id));
        if (longer == nullptr) break;
        next.push_back(*longer);
    }
}

double NGramModel::probability(std::span<const std::uint32_t> contexts, std::int64_t token) const {
    double smoothed = 1.0 / static_cast<double>(vocab_);
    for (std::size_t n = 1; n <= contexts.size(); ++n) {
        const Node& context = nodes_[contexts[n - 1]];
        // Seen, but never followed by anything (it ended its sequences), or nothing fitted at all.
        if (context.total == 0) break;
        const std::uint32_t* ngram = children_[n - 1].find(contexts[n - 1], static_cast<std::uint32_t>(token));
        const std::uint32_t count = ngram == nullptr ? 0 : nodes_[*ngram].count;
        // A discount never exceeds the counts it applies to, so what is kept is never negative.
        const double kept = count - discounts_[n - 1].for_count(count);
        smoothed = kept / context.total + context.backoff_weight * smoothed;
    }
    return smoothed;
}

double NGramModel::log_prob(std::span<const std::int64_t> context, std::int64_t token) const {
    const std::span<const std::int64_t> history =
        context.last(std::min(context.size(), static_cast<std::size_t>(order_ - 1)));
    for (const std::int64_t id : history) {
        if (!in_vocabulary(id)) throw outside_vocabulary(id, "context");
    }
    if (!in_vocabulary(token)) throw outside_vocabulary(token, "token");
    std::vector<std::uint32_t> contexts{0};
    std::vector<std::uint32_t> next;
    for (const std::int64_t id : history) {
        advance(contexts, id, next);
        contexts.swap(next);
    }
    return std::log(probability(contexts, token));
}

CrossEntropy NGramModel::cross_entropy(const std::vector<std::vector<std::int64_t>>& sequences) const {
    CrossEntropy total;
    std::vector<std::uint32_t> contexts;
    std::vector<std::uint32_t> next;
    for (std::size_t index = 0; index < sequences.size(); ++index) {
        const std::vector<std::int64_t>& sequence = sequences[index];
        check_sequence(sequence, index);
        // Contexts follow the sequence one token at a time instead of being looked up afresh
        // from each token's history, as log_prob must: order lookups a token, not order^2 / 2.
        contexts.assign(1, 0);
        advance(contexts, bos_, next);
        contexts.swap(next);
        for (std::size_t position = 1; position < sequence.size(); ++position) {
            total.nats -= std::log(probability(contexts, sequence[position]));
            ++total.tokens;
            advance(contexts, sequence[position], next);
            contexts.swap(next);
        }
    }
    return total;
}

}  // namespace pianola::eval
