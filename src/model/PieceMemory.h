// PieceMemory: a cache model of the piece being read or composed (Kuhn and De Mori 1990; Grave et
// al. 2016's continuous cache). Music repeats itself: human pieces return to their motifs (about
// half of the 4-onset runs of a held-out ff-piano piece occur earlier in it), and no network
// trained for ten minutes on two cores learns to copy from its own context as well as a plain
// lookup does. So the piece's earlier tokens vote for what comes next: every earlier position
// whose history ends like the piece's does now votes for the token that followed it, longer
// matches weighing more, and that vote is mixed with the network's distribution,
//   p(v) = (1 - lambda) p_net(v) + lambda q(v),
// lambda chosen by how long the longest match is (a short match says little, a long one that a
// passage is being repeated). Where the piece's latest tokens are one passage played three times
// in a row, the memory is silent: fitted on human pieces, it copies a long match almost surely, and
// a composed piece that copies its own copies never stops (a loop); the network decides there. The weights are fitted on held-out pieces (train/PieceMemoryFit)
// and kept in the model file; all-zero weights turn the memory off.
// It copies only from the piece itself (and its primer), never from the training pieces, which
// the originality guard still watches. It is not a network and holds no tensors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

namespace pianola::model {

// Buckets of the longest match length L: 0 (no earlier position matches), then 1, 2-3, 4-7, ...,
// 256 and longer. Bucket 0's lambda is always 0: with no match the memory has no vote.
inline constexpr std::size_t memory_buckets = 10;
std::size_t memory_bucket(std::size_t longest_match);

struct MemoryWeights {
    double sharpness = 1;                         // beta: a match one token shorter weighs exp(-beta) as much
    std::array<double, memory_buckets> mix{};     // lambda by bucket of the longest match
    bool on() const;
};

nlohmann::json to_json(const MemoryWeights& weights);
// Throws std::invalid_argument for weights outside [0, 1) or a negative sharpness.
MemoryWeights memory_weights(const nlohmann::json& json);
// A model file's weights (its training["memory"]), or all-zero ones (off) for files without them.
MemoryWeights stored_memory_weights(const nlohmann::json& training);
// Every lambda times `strength` (0: off, 1: as fitted), held below 1 so the network always has a say.
MemoryWeights scaled(MemoryWeights weights, double strength);

class PieceMemory {
public:
    // Reads the piece one token at a time; each push is O(tokens so far).
    void push(std::int64_t id);
    std::size_t size() const { return tokens_.size(); }
    // The longest run of the latest tokens that also ends at an earlier position (followed by a
    // token): 0 when none does, or before two tokens are read.
    std::size_t longest() const { return longest_; }
    // Which of the mixing weights applies now: memory_bucket(longest()), or 0 (silent) where the
    // latest tokens are one passage three times in a row.
    std::size_t bucket() const;
    // q(id): the memory's probability that `id` comes next, given the tokens pushed; 0 with no match.
    double probability(std::int64_t id, double sharpness) const;
    // logits: V raw logits of the network for the next token; rewritten in place to
    // log((1 - lambda) softmax(logits) + lambda q), lambda = weights.mix[bucket of longest()].
    // -inf stays -inf only where q is 0 too. Allocates nothing after its first call.
    void mix(std::span<float> logits, const MemoryWeights& weights);

private:
    // Calls f(token, weight) for each earlier position's vote, weight exp(beta (m - L)) for a match of m.
    template <class F>
    void for_each_vote(double sharpness, F&& f) const;

    std::vector<std::int64_t> tokens_;
    // match_[j], j < size(): how many tokens before position j equal the latest tokens (the common
    // suffix of tokens_[0, j) and tokens_); position j then votes for tokens_[j].
    std::vector<std::uint32_t> match_;
    std::size_t longest_ = 0;
    std::size_t period_ = 0;  // the distance back to the nearest position with the longest match
    std::vector<double> q_;  // mix's buffer of V
};

}  // namespace pianola::model
