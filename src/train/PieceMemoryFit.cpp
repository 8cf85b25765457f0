#include "train/PieceMemoryFit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

#include "model/ModelFile.h"
#include "train/Validation.h"

namespace pianola::train {

namespace {

// On ff-piano, nottingham and the Debian corpus the best sharpness lay inside this range.
constexpr double sharpnesses[] = {0.25, 0.5, 1, 2, 4};
constexpr int em_rounds = 50;

// One held-out prediction as the mixture sees it.
struct Prediction {
    double network, memory;  // p_net(token), q(token)
    std::size_t bucket;      // of the longest match before it
};

// [sharpness][piece][i]: the prediction of piece[i + 1], the memory having read piece[0..i]. Each
// piece is read once for every sharpness: reading is the O(piece) part of a step.
std::vector<std::vector<std::vector<Prediction>>> predictions(const std::vector<TokenIds>& pieces,
                                                              const std::vector<std::vector<float>>& nats) {
    std::vector<std::vector<std::vector<Prediction>>> out(std::size(sharpnesses),
                                                          std::vector<std::vector<Prediction>>(pieces.size()));
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        model::PieceMemory memory;
        for (std::size_t i = 0; i < nats[p].size(); ++i) {
            memory.push(pieces[p][i]);
            // Floored so that a token the network all but ruled out still has a finite score.
            const double network = std::max(std::exp(-static_cast<double>(nats[p][i])), 1e-300);
            for (std::size_t s = 0; s < std::size(sharpnesses); ++s)
                out[s][p].push_back({network, memory.probability(pieces[p][i + 1], sharpnesses[s]), memory.bucket()});
        }
    }
    return out;
}

double mixed_nats(const std::vector<Prediction>& piece, const model::MemoryWeights& w) {
    double nats = 0;
    for (const Prediction& x : piece) nats -= std::log((1 - w.mix[x.bucket]) * x.network + w.mix[x.bucket] * x.memory);
    return nats;
}

// EM for each bucket's lambda over the pieces `use` says, from 0.5; one pseudo-prediction on each
// side keeps a bucket with few predictions away from 0 and 1.
model::MemoryWeights fit_mix(const std::vector<std::vector<Prediction>>& all, const std::vector<bool>& use, double sharpness) {
    model::MemoryWeights w;
    w.sharpness = sharpness;
    for (std::size_t b = 1; b < model::memory_buckets; ++b) w.mix[b] = 0.5;
    for (int round = 0; round < em_rounds; ++round) {
        std::array<double, model::memory_buckets> memory_share{}, count{};
        for (std::size_t p = 0; p < all.size(); ++p) {
            if (!use[p]) continue;
            for (const Prediction& x : all[p]) {
                const double lambda = w.mix[x.bucket], m = lambda * x.memory;
                memory_share[x.bucket] += m / (m + (1 - lambda) * x.network);
                count[x.bucket] += 1;
            }
        }
        for (std::size_t b = 1; b < model::memory_buckets; ++b) w.mix[b] = (memory_share[b] + 1) / (count[b] + 2);
    }
    return w;
}

// The best weights over the sharpnesses for the pieces `use` says.
model::MemoryWeights fit(const std::vector<std::vector<std::vector<Prediction>>>& by_sharpness, const std::vector<bool>& use) {
    model::MemoryWeights best;
    double best_nats = std::numeric_limits<double>::infinity();
    for (std::size_t s = 0; s < std::size(sharpnesses); ++s) {
        const model::MemoryWeights w = fit_mix(by_sharpness[s], use, sharpnesses[s]);
        double nats = 0;
        for (std::size_t p = 0; p < use.size(); ++p) nats += use[p] ? mixed_nats(by_sharpness[s][p], w) : 0;
        if (nats < best_nats) best_nats = nats, best = w;
    }
    return best;
}

std::size_t sharpness_index(double sharpness) {
    std::size_t s = 0;
    while (sharpnesses[s] != sharpness) ++s;
    return s;
}

}  // namespace

std::size_t memory_fit_pieces(const std::vector<TokenIds>& pieces) {
    std::size_t n = 0;
    for (std::int64_t tokens = 0; n < pieces.size(); ++n) {
        tokens += static_cast<std::int64_t>(pieces[n].size());
        if (model::held_out_sample_ends(n, tokens)) break;
    }
    return n;
}

MemoryFit fit_piece_memory(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces, std::int64_t notes) {
    const std::vector<std::vector<float>> nats = token_nats(net, pieces);
    const std::vector<std::vector<std::vector<Prediction>>> by_sharpness = predictions(pieces, nats);

    MemoryFit result;
    for (const std::vector<float>& piece : nats) {
        for (const float n : piece) result.network.nats += n;
        result.network.tokens += static_cast<std::int64_t>(piece.size());
    }
    result.network.notes = notes;
    result.weights = fit(by_sharpness, std::vector<bool>(pieces.size(), true));
    if (pieces.size() < 2) return result;
    eval::CrossEntropy mixed = result.network;
    mixed.nats = 0;
    for (const bool odd : {false, true}) {
        std::vector<bool> use(pieces.size());
        for (std::size_t p = 0; p < pieces.size(); ++p) use[p] = (p % 2 == 1) == odd;
        const model::MemoryWeights w = fit(by_sharpness, use);
        const auto& scored = by_sharpness[sharpness_index(w.sharpness)];
        for (std::size_t p = 0; p < pieces.size(); ++p) mixed.nats += use[p] ? 0 : mixed_nats(scored[p], w);
    }
    result.mixed = mixed;
    return result;
}

}  // namespace pianola::train
