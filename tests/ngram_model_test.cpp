// NGramModel: probabilities worked out by hand (order 1 with the closed-form discounts, order 2
// with the fallback ones, raw counts for n-grams at the sequence start), distributions that sum
// to one over the whole vocabulary, and the checks on its input. Timing is not tested here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "eval/NGramModel.h"

using namespace pianola;

namespace {

using Sequences = std::vector<std::vector<std::int64_t>>;

double probability(const eval::NGramModel& model, const std::vector<std::int64_t>& context, std::int64_t token) {
    return std::exp(model.log_prob(context, token));
}

double total_probability(const eval::NGramModel& model, const std::vector<std::int64_t>& context) {
    double total = 0;
    for (std::int64_t token = 0; token < model.vocab(); ++token) total += probability(model, context, token);
    return total;
}

template <class Call>
std::string invalid_argument_message(Call call) {
    try {
        call();
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "no std::invalid_argument thrown";
}

// Sequences after bos = 0 of ids 1..seen-1 drawn at random, so ids from seen on are never in training.
Sequences random_sequences(std::mt19937& random, int count, int max_length, std::int64_t seen) {
    std::uniform_int_distribution<std::int64_t> id(1, seen - 1);
    std::uniform_int_distribution<int> length(0, max_length);
    Sequences sequences;
    for (int s = 0; s < count; ++s) {
        std::vector<std::int64_t> sequence{0};
        for (int remaining = length(random); remaining > 0; --remaining) sequence.push_back(id(random));
        sequences.push_back(sequence);
    }
    return sequences;
}

TEST(NGramModel, Order1IsTheSmoothedUnigramWithClosedFormDiscounts) {
    // Raw counts: ids 1-4 once, 5 and 6 twice, 7 three times, 8 four times; 9 never; 15 tokens.
    // Counts of counts n1..n4 = 4, 2, 1, 1, so Y = 4 / (4 + 2 * 2) = 0.5 and
    //   D1 = 1 - 2 * 0.5 * 2 / 4 = 0.5,  D2 = 2 - 3 * 0.5 * 1 / 2 = 1.25,  D3+ = 3 - 4 * 0.5 * 1 / 1 = 1.
    // Mass left to the uniform 1/10: (0.5 * 4 + 1.25 * 2 + 1 * 2) / 15 = 6.5 / 15, so each id gets
    // 0.65 / 15 from it: p(8) = (4 - 1 + 0.65) / 15, p(5) = (2 - 1.25 + 0.65) / 15,
    // p(1) = (1 - 0.5 + 0.65) / 15, p(7) = (3 - 1 + 0.65) / 15, p(9) = p(0) = 0.65 / 15.
    eval::NGramModel model(1, 10, 0);
    model.fit({{0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 8}});
    EXPECT_NEAR(model.discounts(1).one, 0.5, 1e-12);
    EXPECT_NEAR(model.discounts(1).two, 1.25, 1e-12);
    EXPECT_NEAR(model.discounts(1).three_plus, 1.0, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 8), 3.65 / 15, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 5), 1.4 / 15, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 1), 1.15 / 15, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 7), 2.65 / 15, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 9), 0.65 / 15, 1e-12);
    // Order 1 reads no context at all.
    EXPECT_DOUBLE_EQ(model.log_prob(std::vector<std::int64_t>{0, 7, 7}, 8), model.log_prob({}, 8));
}

TEST(NGramModel, Order2MatchesAHandComputation) {
    // V = 5, bos = 0; training [0 1 2 1 2] and [0 2 1 3]; id 4 is never seen.
    // Bigrams, the highest order, raw: (0 1) 1, (0 2) 1, (1 2) 2, (2 1) 2, (1 3) 1. Counts of counts
    // 3, 2, 0, 0: the closed form is undefined, so D = 0.5, 1, 1.5.
    // Unigrams count distinct left neighbours: 1 after {0, 2} = 2, 2 after {1, 0} = 2, 3 after {1}
    // = 1; total 5, counts of counts 1, 2, 0, 0: fallback again. Mass to the uniform 1/5:
    // (0.5 * 1 + 1 * 2) / 5 = 0.5, so p1(1) = p1(2) = (2 - 1) / 5 + 0.5 * 0.2 = 0.3,
    // p1(3) = (1 - 0.5) / 5 + 0.1 = 0.2, p1(0) = p1(4) = 0.1 (sum 1).
    // Context [1]: (1 2) 2, (1 3) 1, total 3, backoff (1 + 0.5) / 3 = 0.5:
    //   p(2 | 1) = (2 - 1) / 3 + 0.5 * 0.3 = 1/3 + 0.15,  p(3 | 1) = 0.5 / 3 + 0.5 * 0.2 = 1/6 + 0.1,
    //   p(4 | 1) = 0.5 * 0.1 = 0.05.
    // Context [bos]: (0 1) 1, (0 2) 1, total 2, backoff 0.5: p(1 | bos) = 0.5 / 2 + 0.5 * 0.3 = 0.4.
    // Context [2]: (2 1) 2, total 2, backoff 0.5: p(1 | 2) = 1 / 2 + 0.5 * 0.3 = 0.65.
    // Context [3] ended a sequence and [4] was never seen: both are the unigram, p(1 | 3) = 0.3.
    eval::NGramModel model(2, 5, 0);
    model.fit({{0, 1, 2, 1, 2}, {0, 2, 1, 3}});
    EXPECT_DOUBLE_EQ(model.discounts(2).one, 0.5);
    EXPECT_DOUBLE_EQ(model.discounts(1).two, 1.0);
    EXPECT_NEAR(probability(model, {0, 2, 1}, 2), 1.0 / 3 + 0.15, 1e-12);
    EXPECT_NEAR(probability(model, {0, 2, 1}, 3), 1.0 / 6 + 0.1, 1e-12);
    EXPECT_NEAR(probability(model, {0, 2, 1}, 4), 0.05, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 1), 0.4, 1e-12);
    EXPECT_NEAR(probability(model, {0, 1, 2}, 1), 0.65, 1e-12);
    EXPECT_NEAR(probability(model, {0, 2, 1, 3}, 1), 0.3, 1e-12);
    EXPECT_NEAR(probability(model, {0, 4}, 1), 0.3, 1e-12);
    EXPECT_NEAR(probability(model, {}, 3), 0.2, 1e-12);
    EXPECT_NEAR(probability(model, {0, 4}, 4), 0.1, 1e-12);
}

TEST(NGramModel, NGramsAtTheSequenceStartKeepRawCounts) {
    // Order 3, V = 3: [0 1] three times and [0 2]. Each token's longest n-gram is a bigram starting
    // at bos, so (0 1) counts 3 and (0 2) 1 although neither has a left extension. Order 2: counts
    // of counts 1, 0, 1 (fallback D1 = 0.5, D3+ = 1.5), total 4, backoff (0.5 + 1.5) / 4 = 0.5.
    // Unigrams: 1 and 2 each after {0}: (1 - 0.5) / 2 + 0.5 / 3 = 1/4 + 1/6 = 5/12.
    // p(1 | bos) = (3 - 1.5) / 4 + 0.5 * 5/12 = 3/8 + 5/24 = 7/12.
    eval::NGramModel model(3, 3, 0);
    model.fit({{0, 1}, {0, 1}, {0, 1}, {0, 2}});
    EXPECT_NEAR(probability(model, {0}, 1), 7.0 / 12, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 2), 1.0 / 8 + 5.0 / 24, 1e-12);
    EXPECT_NEAR(probability(model, {0}, 0), 1.0 / 12, 1e-12);
}

TEST(NGramModel, EveryDistributionSumsToOne) {
    std::mt19937 random(7);
    const std::int64_t vocab = 40;
    const std::int64_t seen = 30;  // ids 30..39 never occur in training
    const Sequences training = random_sequences(random, 60, 40, seen);
    std::uniform_int_distribution<std::int64_t> any_id(1, vocab - 1);
    std::uniform_int_distribution<int> context_length(0, 9);
    for (const int order : {1, 2, 3, 5}) {
        eval::NGramModel model(order, vocab, 0);
        model.fit(training);
        for (int trial = 0; trial < 30; ++trial) {
            // Half the contexts are training prefixes, so the deep orders are used; the rest are
            // random ids, mostly unseen contexts and some with never-seen ids.
            const std::vector<std::int64_t>& sequence = training[static_cast<std::size_t>(trial) % training.size()];
            std::vector<std::int64_t> context{0};
            for (int i = context_length(random); i > 0; --i) {
                const std::size_t next = context.size();
                context.push_back(trial % 2 == 0 && next < sequence.size() ? sequence[next] : any_id(random));
            }
            EXPECT_NEAR(total_probability(model, context), 1.0, 1e-9) << "order " << order << ", trial " << trial;
        }
    }
}

TEST(NGramModel, HigherOrderLearnsARepeatingPattern) {
    // A cycle of 7 ids: the unigram can only spread over them (about ln 7 nats a token), while two
    // ids of context name the next one.
    Sequences training;
    Sequences held_out;
    for (int offset = 0; offset < 7; ++offset) {
        std::vector<std::int64_t> sequence{0};
        for (int i = 0; i < 100; ++i) sequence.push_back(1 + (offset + i) % 7);
        (offset < 5 ? training : held_out).push_back(sequence);
    }
    eval::NGramModel unigram(1, 8, 0);
    eval::NGramModel trigram(3, 8, 0);
    unigram.fit(training);
    trigram.fit(training);
    const eval::CrossEntropy unigram_loss = unigram.cross_entropy(held_out);
    const eval::CrossEntropy trigram_loss = trigram.cross_entropy(held_out);
    EXPECT_EQ(trigram_loss.tokens, 200);
    EXPECT_NEAR(unigram_loss.nats_per_token(), std::log(7.0), 0.05);
    EXPECT_LT(trigram_loss.nats_per_token(), 0.1);
}

TEST(NGramModel, CrossEntropyIsTheSumOfLogProbs) {
    std::mt19937 random(11);
    const Sequences training = random_sequences(random, 40, 30, 12);
    Sequences held_out = random_sequences(random, 10, 30, 15);
    held_out.push_back({0});
    eval::NGramModel model(4, 15, 0);
    model.fit(training);

    double nats = 0;
    std::int64_t tokens = 0;
    for (const std::vector<std::int64_t>& sequence : held_out) {
        for (std::size_t position = 1; position < sequence.size(); ++position) {
            nats -= model.log_prob(std::span(sequence).first(position), sequence[position]);
            ++tokens;
        }
    }
    const eval::CrossEntropy loss = model.cross_entropy(held_out);
    EXPECT_EQ(loss.tokens, tokens);
    EXPECT_NEAR(loss.nats, nats, 1e-9 * nats);
}

TEST(NGramModel, FitsSequencesOfOnlyBos) {
    eval::NGramModel model(3, 6, 2);
    model.fit({{2}, {2}});
    for (std::int64_t token = 0; token < 6; ++token) EXPECT_NEAR(probability(model, {2}, token), 1.0 / 6, 1e-12);
    const eval::CrossEntropy loss = model.cross_entropy({{2}});
    EXPECT_EQ(loss.tokens, 0);
    EXPECT_EQ(loss.nats, 0);
    EXPECT_NEAR(model.cross_entropy({{2, 5, 0}}).nats, 2 * std::log(6.0), 1e-12);
}

TEST(NGramModel, RejectsInvalidArguments) {
    EXPECT_THROW(eval::NGramModel(0, 10, 0), std::invalid_argument);
    EXPECT_THROW(eval::NGramModel(2, 0, 0), std::invalid_argument);
    EXPECT_THROW(eval::NGramModel(2, 10, 10), std::invalid_argument);
    EXPECT_EQ(invalid_argument_message([] { eval::NGramModel(0, 10, 0); }), "n-gram order must be at least 1, got 0");
    EXPECT_EQ(invalid_argument_message([] { eval::NGramModel(2, -3, 0); }),
              "vocabulary size must be at least 1, got -3");

    eval::NGramModel model(2, 10, 0);
    EXPECT_EQ(invalid_argument_message([&] { model.fit({{0, 1, 2}, {0, 3, 10}}); }),
              "sequence 1, position 2: id 10 is outside the vocabulary 0..9");
    EXPECT_THROW(model.fit({{0, -1}}), std::invalid_argument);
    EXPECT_EQ(invalid_argument_message([&] { model.fit({{0, 1}, {1, 2}}); }), "sequence 1 starts with 1, not bos 0");
    EXPECT_THROW(model.fit({{}}), std::invalid_argument);

    model.fit({{0, 1, 2}});
    EXPECT_THROW(model.fit({{0, 1, 2}}), std::logic_error);
    EXPECT_EQ(invalid_argument_message([&] { model.log_prob(std::vector<std::int64_t>{0, 1}, 12); }),
              "token id 12 is outside the vocabulary 0..9");
    EXPECT_EQ(invalid_argument_message([&] { model.log_prob(std::vector<std::int64_t>{0, -4}, 1); }),
              "context id -4 is outside the vocabulary 0..9");
    EXPECT_THROW(model.cross_entropy({{0, 1, 99}}), std::invalid_argument);
    EXPECT_THROW(model.discounts(3), std::invalid_argument);
}

}  // namespace
