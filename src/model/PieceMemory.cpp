#include "model/PieceMemory.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pianola::model {

namespace {

// Votes lighter than this share of the longest match's are left out: they would change q by less
// than a ten-thousandth, and skipping them spares an exp for every short match of a long piece.
constexpr double lightest_vote = 1e-4;

}  // namespace

std::size_t memory_bucket(std::size_t longest_match) {
    if (longest_match == 0) return 0;
    return std::min<std::size_t>(memory_buckets - 1, static_cast<std::size_t>(std::bit_width(longest_match)));
}

bool MemoryWeights::on() const {
    return std::any_of(mix.begin(), mix.end(), [](double lambda) { return lambda > 0; });
}

nlohmann::json to_json(const MemoryWeights& weights) {
    return {{"sharpness", weights.sharpness}, {"mix", weights.mix}};
}

MemoryWeights memory_weights(const nlohmann::json& json) {
    MemoryWeights weights;
    weights.sharpness = json.at("sharpness").get<double>();
    const auto mix = json.at("mix").get<std::vector<double>>();
    if (!(weights.sharpness >= 0)) throw std::invalid_argument("the piece memory's sharpness must be 0 or more");
    if (mix.size() != memory_buckets)
        throw std::invalid_argument("the piece memory needs " + std::to_string(memory_buckets) + " weights");
    for (std::size_t b = 0; b < memory_buckets; ++b) {
        if (!(mix[b] >= 0 && mix[b] < 1)) throw std::invalid_argument("the piece memory's weights must be in [0, 1)");
        weights.mix[b] = b == 0 ? 0 : mix[b];
    }
    return weights;
}

MemoryWeights stored_memory_weights(const nlohmann::json& training) {
    return training.contains("memory") ? memory_weights(training.at("memory")) : MemoryWeights{};
}

MemoryWeights scaled(MemoryWeights weights, double strength) {
    for (double& lambda : weights.mix) lambda = std::min(lambda * strength, 0.99);
    return weights;
}

void PieceMemory::push(std::int64_t id) {
    // match'[j] = match[j - 1] + 1 where the token before j is the new one, else 0; downwards, so
    // match[j - 1] is still the old value when match'[j] reads it.
    const std::size_t n = tokens_.size();
    match_.push_back(0);
    longest_ = 0;
    for (std::size_t j = n; j >= 1; --j) {
        match_[j] = tokens_[j - 1] == id ? match_[j - 1] + 1 : 0;
        if (match_[j] > longest_) longest_ = match_[j], period_ = n + 1 - j;
    }
    match_[0] = 0;
    tokens_.push_back(id);
}

std::size_t PieceMemory::bucket() const {
    // A match of L at distance d: the last L + d tokens repeat every d, (L + d) / d times.
    return longest_ >= 2 * period_ ? 0 : memory_bucket(longest_);
}

template <class F>
void PieceMemory::for_each_vote(double sharpness, F&& f) const {
    if (longest_ == 0) return;
    const double reach = sharpness > 0 ? -std::log(lightest_vote) / sharpness : std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < match_.size(); ++j) {
        const double shorter = static_cast<double>(longest_ - match_[j]);
        if (match_[j] > 0 && shorter <= reach) f(tokens_[j], std::exp(-sharpness * shorter));
    }
}

double PieceMemory::probability(std::int64_t id, double sharpness) const {
    double mine = 0, total = 0;
    for_each_vote(sharpness, [&](std::int64_t token, double w) {
        total += w;
        if (token == id) mine += w;
    });
    return total > 0 ? mine / total : 0;
}

void PieceMemory::mix(std::span<float> logits, const MemoryWeights& weights) {
    const double lambda = weights.mix[bucket()];
    if (lambda <= 0) return;
    q_.assign(logits.size(), 0);
    double total = 0;
    for_each_vote(weights.sharpness, [&](std::int64_t token, double w) {
        q_[static_cast<std::size_t>(token)] += w;
        total += w;
    });
    const float top = *std::max_element(logits.begin(), logits.end());
    double net_total = 0;
    for (const float l : logits) net_total += std::exp(static_cast<double>(l) - top);
    for (std::size_t v = 0; v < logits.size(); ++v) {
        const double p = (1 - lambda) * std::exp(static_cast<double>(logits[v]) - top) / net_total + lambda * q_[v] / total;
        logits[v] = p > 0 ? static_cast<float>(std::log(p)) : -std::numeric_limits<float>::infinity();
    }
}

}  // namespace pianola::model
