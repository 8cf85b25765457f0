// The piece memory: its matches and votes on hand-made sequences, its mixture, its stored
// weights, the fit on held-out pieces, and composing with it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "compose/LmComposer.h"
#include "model/LmModel.h"
#include "model/ModelFile.h"
#include "model/PieceMemory.h"
#include "train/PieceMemoryFit.h"
#include "train/Validation.h"

using namespace pianola;

namespace {

model::PieceMemory read(const std::vector<std::int64_t>& tokens) {
    model::PieceMemory memory;
    for (const std::int64_t t : tokens) memory.push(t);
    return memory;
}

model::MemoryWeights weights(double lambda, double sharpness = 1) {
    model::MemoryWeights w;
    w.sharpness = sharpness;
    for (std::size_t b = 1; b < model::memory_buckets; ++b) w.mix[b] = lambda;
    return w;
}

// Pieces that each return to a motif of their own (drawn at random) between passages that never
// return: nothing a network could learn across pieces, much that a memory of the piece can.
std::vector<train::TokenIds> motif_pieces(int pieces, std::int64_t V, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::int64_t> token(1, V - 1);
    std::vector<train::TokenIds> out;
    for (int p = 0; p < pieces; ++p) {
        train::TokenIds motif(12);
        for (std::int64_t& t : motif) t = token(rng);
        train::TokenIds piece{0};
        for (int r = 0; r < 8; ++r) {
            piece.insert(piece.end(), motif.begin(), motif.end());
            for (int i = 0; i < 3; ++i) piece.push_back(token(rng));
        }
        out.push_back(piece);
    }
    return out;
}

}  // namespace

TEST(PieceMemory, FindsTheLongestEarlierMatchAndVotesForWhatFollowedIt) {
    EXPECT_EQ(read({}).longest(), 0u);
    EXPECT_EQ(read({1, 2, 3}).longest(), 0u);
    model::PieceMemory memory = read({1, 2, 3, 1, 2});  // "1 2" came before, then 3
    EXPECT_EQ(memory.longest(), 2u);
    EXPECT_DOUBLE_EQ(memory.probability(3, 1), 1);
    EXPECT_DOUBLE_EQ(memory.probability(1, 1), 0);
    memory.push(3);
    memory.push(1);  // "1 2 3 1 2 3 1": "1 2 3 1" ends at position 4, "1" at position 1; both followed by 2
    EXPECT_EQ(memory.longest(), 4u);
    EXPECT_DOUBLE_EQ(memory.probability(2, 1), 1);
    // A run repeating itself: each earlier position of the run is a match.
    EXPECT_EQ(read({5, 5, 5, 5}).longest(), 3u);
}

TEST(PieceMemory, FallsSilentOnAPassageThreeTimesInARow) {
    EXPECT_EQ(read({1, 2, 3, 1, 2}).bucket(), model::memory_bucket(2));
    EXPECT_EQ(read({1, 2, 1, 2}).bucket(), model::memory_bucket(2));     // twice: the memory may go on
    EXPECT_EQ(read({1, 2, 1, 2, 1}).bucket(), model::memory_bucket(3));
    EXPECT_EQ(read({1, 2, 1, 2, 1, 2}).bucket(), 0u);                    // three times: silent
    EXPECT_EQ(read({5, 5, 5}).bucket(), 0u);
    model::PieceMemory memory = read({1, 2, 1, 2, 1, 2});
    std::vector<float> logits = {0, 0, 0};
    memory.mix(logits, weights(0.9));
    EXPECT_EQ(logits, (std::vector<float>{0, 0, 0}));
}

TEST(PieceMemory, ShorterMatchesWeighLessBySharpness) {
    // "3 1 2" is followed by 4 (a match of 3), "1 2" later by 5 (a match of 2).
    const model::PieceMemory memory = read({3, 1, 2, 4, 1, 2, 5, 3, 1, 2});
    EXPECT_EQ(memory.longest(), 3u);
    EXPECT_NEAR(memory.probability(4, 1), 1 / (1 + std::exp(-1.0)), 1e-12);
    EXPECT_NEAR(memory.probability(5, 1), std::exp(-1.0) / (1 + std::exp(-1.0)), 1e-12);
    EXPECT_NEAR(memory.probability(4, 0), 0.5, 1e-12);
    EXPECT_NEAR(memory.probability(4, 4), 1 / (1 + std::exp(-4.0)), 1e-12);
}

TEST(PieceMemory, MixesItsVotesIntoTheNetworksDistribution) {
    const model::PieceMemory read_piece = read({1, 2, 3, 1, 2});
    std::vector<float> logits = {0.5f, -1, 2, 0, -std::numeric_limits<float>::infinity()};
    std::vector<double> p(logits.size());
    double total = 0;
    for (std::size_t v = 0; v < p.size(); ++v) total += p[v] = std::exp(static_cast<double>(logits[v]));

    std::vector<float> unchanged = logits;
    model::PieceMemory memory = read_piece;
    memory.mix(unchanged, model::MemoryWeights{});
    EXPECT_EQ(unchanged, logits);

    memory.mix(logits, weights(0.3));
    double sum = 0;
    for (std::size_t v = 0; v < p.size(); ++v) {
        const double expected = 0.7 * p[v] / total + (v == 3 ? 0.3 : 0.0);
        EXPECT_NEAR(std::exp(static_cast<double>(logits[v])), expected, 1e-6) << v;
        sum += std::exp(static_cast<double>(logits[v]));
    }
    EXPECT_NEAR(sum, 1, 1e-6);
    EXPECT_EQ(logits[4], -std::numeric_limits<float>::infinity());
}

TEST(MemoryWeights, RoundTripThroughJsonAndRefuseNonsense) {
    model::MemoryWeights w = weights(0.25, 2);
    w.mix[9] = 0.9;
    const model::MemoryWeights back = model::memory_weights(model::to_json(w));
    EXPECT_EQ(back.mix, w.mix);
    EXPECT_EQ(back.sharpness, 2);
    EXPECT_FALSE(model::stored_memory_weights(nlohmann::json::object()).on());
    EXPECT_TRUE(model::stored_memory_weights({{"memory", model::to_json(w)}}).on());

    nlohmann::json bad = model::to_json(w);
    bad["mix"][3] = 1.0;
    EXPECT_THROW(model::memory_weights(bad), std::invalid_argument);
    bad = model::to_json(w);
    bad["sharpness"] = -1;
    EXPECT_THROW(model::memory_weights(bad), std::invalid_argument);
    bad = model::to_json(w);
    bad["mix"] = {0.1, 0.2};
    EXPECT_THROW(model::memory_weights(bad), std::invalid_argument);

    EXPECT_FALSE(model::scaled(w, 0).on());
    EXPECT_DOUBLE_EQ(model::scaled(w, 2).mix[1], 0.5);
    EXPECT_DOUBLE_EQ(model::scaled(w, 2).mix[9], 0.99);
}

TEST(Validation, TokenNatsAreTheValidationLossTokenByToken) {
    torch::manual_seed(1);
    model::LmModel net(model::LmModelOptions{7, 4, 1, 8, 0.0, 0.0});
    const std::vector<train::TokenIds> pieces = {{0, 3, 4, 5, 6, 1}, {0, 2}, {0, 6, 6, 5}};
    const std::vector<std::vector<float>> nats = train::token_nats(*net, pieces, 2);
    ASSERT_EQ(nats.size(), 3u);
    double sum = 0;
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        EXPECT_EQ(nats[p].size(), pieces[p].size() - 1);
        for (const float n : nats[p]) sum += n;
    }
    EXPECT_NEAR(sum, train::validate(*net, pieces, 2).nats, 1e-4);
}

TEST(PieceMemoryFit, LearnsThatPiecesRepeatThemselves) {
    torch::manual_seed(2);
    const std::int64_t V = 20;
    model::LmModel net(model::LmModelOptions{V, 8, 1, 16, 0.0, 0.0});  // untrained: near uniform
    const std::vector<train::TokenIds> pieces = motif_pieces(6, V, 3);
    const train::MemoryFit fit = train::fit_piece_memory(*net, pieces, 6 * 120);
    ASSERT_TRUE(fit.mixed);
    EXPECT_EQ(fit.mixed->tokens, fit.network.tokens);
    EXPECT_GT(fit.network.bits_per_note(), 4.0);                        // about log2(20)
    EXPECT_LT(fit.mixed->bits_per_note(), 0.5 * fit.network.bits_per_note());  // a third of the tokens never return
    EXPECT_EQ(fit.weights.mix[0], 0);
    EXPECT_GT(fit.weights.mix[model::memory_bucket(12)], 0.7);          // most of a motif matched: copy it
}

TEST(PieceMemoryFit, OnePieceGetsWeightsButNoCrossFittedFigure) {
    torch::manual_seed(2);
    model::LmModel net(model::LmModelOptions{20, 8, 1, 16, 0.0, 0.0});
    const train::MemoryFit fit = train::fit_piece_memory(*net, motif_pieces(1, 20, 4), 120);
    EXPECT_FALSE(fit.mixed);
    EXPECT_TRUE(fit.weights.on());
}

TEST(PieceMemoryFit, ReadsTheFirstHeldOutPiecesUpToItsSample) {
    const auto pieces_of = [](std::vector<std::size_t> sizes) {
        std::vector<train::TokenIds> pieces;
        for (const std::size_t n : sizes) pieces.emplace_back(n, 1);
        return pieces;
    };
    const auto cap = static_cast<std::size_t>(model::held_out_sample_tokens);
    EXPECT_EQ(train::memory_fit_pieces(pieces_of({10, 20, 30})), 3u);  // ff-piano and nottingham: all of them
    EXPECT_EQ(train::memory_fit_pieces(pieces_of({cap / 2, cap / 2, 1})), 2u);
    EXPECT_EQ(train::memory_fit_pieces(pieces_of({cap / 2, cap / 2 + 1, 1})), 1u);
    EXPECT_EQ(train::memory_fit_pieces(pieces_of({2 * cap, 5})), 1u);  // at least one, however long
    EXPECT_EQ(train::memory_fit_pieces({}), 0u);
}

TEST(LmComposer, ThePieceMemoryCarriesAPrimersMotifOn) {
    torch::manual_seed(3);
    const std::int64_t V = 12;
    model::LmModel net(model::LmModelOptions{V, 8, 1, 16, 0.0, 0.0});
    std::vector<std::string> tokens{std::string(music::piece_start_token)};
    for (std::int64_t v = 1; v < V; ++v) tokens.push_back(fmt::format("t{}", v));
    const music::Vocabulary vocabulary(tokens);
    // The motif comes back in the primer: the memory carries it on, and on through the passage that
    // followed it, until the piece has played it three times in a row.
    const std::vector<std::int64_t> passage = {3, 7, 1, 9, 4, 10, 2};
    std::vector<std::int64_t> primer{vocabulary.id(music::piece_start_token)};
    primer.insert(primer.end(), passage.begin(), passage.end());
    primer.insert(primer.end(), passage.begin(), passage.begin() + 3);
    compose::TokenRules rules(music::SeedTokenizer(), vocabulary);
    for (std::size_t i = 1; i < primer.size(); ++i) rules.push(primer[i]);
    rules.begin({compose::PieceLength::Unit::notes, 20}, 500000);
    std::vector<compose::CopyGuard> unguarded;
    const auto compose = [&](const model::MemoryWeights& memory, std::uint64_t seed) {
        compose::SamplingOptions sampling;
        sampling.temperature = 1;
        return compose::continue_from(*net, primer, {rules, rules}, unguarded, sampling, seed, compose::PiecePulls{memory, 0, {}});
    };
    const auto with_memory = compose(weights(0.99), 1);
    EXPECT_EQ(with_memory, compose(weights(0.99), 1));
    const auto without = compose({}, 1);
    // The longest match is 3 after the primer and grows by one with each copied token: at 14, twice
    // the passage's 7, the piece has played it three times in a row.
    const std::size_t copied = 11;
    int followed = 0, followed_without = 0;
    for (std::size_t k = 0; k < 2; ++k) {
        ASSERT_EQ(with_memory[k].size(), 20u);
        for (std::size_t i = 0; i < copied; ++i) {
            followed += with_memory[k][i] == passage[(i + 3) % passage.size()];
            followed_without += without[k][i] == passage[(i + 3) % passage.size()];
        }
        int after = 0;
        for (std::size_t i = copied; i < 20; ++i) after += with_memory[k][i] == passage[(i + 3) % passage.size()];
        EXPECT_LT(after, 9) << k;  // silent from there on: the untrained network rarely goes on by chance
    }
    EXPECT_GE(followed, 20);  // each copied token with probability 0.99 or more
    EXPECT_LE(followed_without, 8);
}
