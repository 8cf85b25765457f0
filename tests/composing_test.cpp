// Composing well: top-k and top-p draw only from the tokens they keep, in proportion; lengths in
// bars and seconds end pieces where they should; the originality guard keeps every run shared
// with the training pieces within its limit (measured independently afterwards); a primer is
// the head of the piece it primes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "TestFiles.h"
#include "TinyJob.h"
#include "compose/CopyGuard.h"
#include "compose/KeyPull.h"
#include "compose/LmComposer.h"
#include "compose/ReadyModels.h"
#include "compose/TokenRules.h"
#include "compose/TokenSampler.h"
#include "io/FileError.h"
#include "model/ModelFile.h"
#include "train/LmTrainer.h"
#include "train/SequenceSet.h"

using namespace pianola;

namespace {

std::map<std::int64_t, int> draws(compose::SamplingOptions options, const std::vector<float>& logits, int n) {
    compose::TokenSampler sample(options);
    std::mt19937_64 rng(1);
    std::map<std::int64_t, int> counts;
    for (int i = 0; i < n; ++i) ++counts[sample(logits, rng)];
    return counts;
}

}  // namespace

TEST(TokenSampler, TopKAndTopPKeepTheLikeliestInProportion) {
    // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1; id 4 is forbidden.
    const float never = -std::numeric_limits<float>::infinity();
    const std::vector<float> logits{std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f), never};
    const int n = 20000;
    const auto all = draws({1.0, 0, 1.0}, logits, n);
    EXPECT_EQ(all.size(), 4u);
    EXPECT_NEAR(all.at(3) / double(n), 0.05, 0.01);
    const auto top2 = draws({1.0, 2, 1.0}, logits, n);
    ASSERT_EQ(top2.size(), 2u);
    EXPECT_NEAR(top2.at(0) / double(n), 0.5 / 0.8, 0.015);
    const auto nucleus = draws({1.0, 0, 0.9}, logits, n);  // 0.5 + 0.3 < 0.9 <= 0.95: three tokens
    ASSERT_EQ(nucleus.size(), 3u);
    EXPECT_NEAR(nucleus.at(2) / double(n), 0.15 / 0.95, 0.01);
    EXPECT_EQ(draws({1.0, 0, 0.5}, logits, 100).size(), 1u);  // the likeliest alone holds 0.5
    EXPECT_EQ(draws({1.0, 1, 1.0}, logits, 100), (std::map<std::int64_t, int>{{0, 100}}));
    EXPECT_EQ(draws({0.0, 3, 0.5}, logits, 10), (std::map<std::int64_t, int>{{0, 10}}));
    EXPECT_THROW(compose::TokenSampler({-1, 0, 1}), std::invalid_argument);
    EXPECT_THROW(compose::TokenSampler({1, -1, 1}), std::invalid_argument);
    EXPECT_THROW(compose::TokenSampler({1, 0, 0}), std::invalid_argument);
    EXPECT_THROW(compose::TokenSampler({1, 0, 1.5}), std::invalid_argument);
}

TEST(TokenSampler, PitchTimeAndDurationTokensAreCutAndTemperedApartAndKeepTheirOdds) {
    // Pitch tokens 0 and 1 (0.4, 0.1), time tokens 2, 3, 4 (0.3, 0.15, 0.05): half the mass each.
    const std::vector<float> logits{std::log(0.4f), std::log(0.1f), std::log(0.3f), std::log(0.15f), std::log(0.05f)};
    using C = compose::TokenClass;
    const std::vector<C> time{C::pitch, C::pitch, C::time, C::time, C::time};
    const int n = 20000;
    const auto pitch_cut = draws({1.0, 0, 0.5, 1.0, time}, logits, n);  // pitch 0 alone holds half the pitch mass
    ASSERT_EQ(pitch_cut.size(), 4u);
    EXPECT_EQ(pitch_cut.count(1), 0u);
    EXPECT_NEAR(pitch_cut.at(0) / double(n), 0.5, 0.015);  // the pitch class keeps its half
    EXPECT_NEAR(pitch_cut.at(4) / double(n), 0.05, 0.01);
    const auto time_cut = draws({1.0, 0, 1.0, 0.5, time}, logits, n);
    ASSERT_EQ(time_cut.size(), 3u);
    EXPECT_NEAR(time_cut.at(2) / double(n), 0.5, 0.015);
    EXPECT_NEAR(time_cut.at(1) / double(n), 0.1, 0.01);
    EXPECT_THROW(compose::TokenSampler({1, 0, 1, 0}), std::invalid_argument);

    // A temperature sharpens within each class but keeps the classes' odds: at 0.5 the pitch class
    // still holds half, pitch 0 of it 0.16/0.17.
    const auto cold = draws({0.5, 0, 1.0, 1.0, time}, logits, n);
    EXPECT_NEAR((cold.at(0) + cold.at(1)) / double(n), 0.5, 0.015);
    EXPECT_NEAR(cold.at(0) / double(n), 0.5 * 0.16 / 0.17, 0.015);
    EXPECT_NEAR(cold.at(2) / double(n), 0.5 * 0.09 / 0.115, 0.015);
    // Time tokens at their own temperature: 1 draws them as the model has them, pitches stay cold.
    const auto warm_time = draws({0.5, 0, 1.0, 1.0, time, 1.0}, logits, n);
    EXPECT_NEAR(warm_time.at(0) / double(n), 0.5 * 0.16 / 0.17, 0.015);
    EXPECT_NEAR(warm_time.at(2) / double(n), 0.3, 0.015);
    EXPECT_NEAR(warm_time.at(4) / double(n), 0.05, 0.01);
    EXPECT_THROW(compose::TokenSampler({1, 0, 1, 1, time, 0.0}), std::invalid_argument);

    // Durations (tokens 2, 3, 4 now) at their own temperature and cut, the time tokens' where unset:
    // the grammar offers them alone, after a pitch.
    const float forbidden = -std::numeric_limits<float>::infinity();
    const std::vector<float> durations{forbidden, forbidden, std::log(0.6f), std::log(0.3f), std::log(0.1f)};
    const std::vector<C> classed{C::pitch, C::pitch, C::duration, C::duration, C::duration};
    const auto as_time = draws({1.0, 0, 1.0, 0.5, classed}, durations, n);
    EXPECT_EQ(as_time.size(), 1u) << "the time top-p cuts durations when theirs is unset";
    const auto own = draws({1.0, 0, 1.0, 0.5, classed, 0.5, 1.0, 1.0}, durations, n);
    EXPECT_NEAR(own.at(3) / double(n), 0.3, 0.015) << "durations at their own odds, whatever time's cut and temperature";
    EXPECT_NEAR(own.at(4) / double(n), 0.1, 0.01);
    const auto cold_durations = draws({1.0, 0, 1.0, 1.0, classed, 1.0, 0.5}, durations, n);
    EXPECT_NEAR(cold_durations.at(2) / double(n), 0.36 / 0.46, 0.015);
    EXPECT_THROW(compose::TokenSampler({1, 0, 1, 1, classed, 1.0, 0.0}), std::invalid_argument);
    EXPECT_THROW(compose::TokenSampler({1, 0, 1, 1, classed, 1.0, 1.0, 1.5}), std::invalid_argument);

    const music::Vocabulary vocabulary({"<piece>", "bar", "pos:12", "vel:3", "pitch:60", "dur:12", "shift:6", "prog:3"});
    const std::vector<C> classes = compose::token_classes(music::TimedTokenizer(), vocabulary);
    ASSERT_EQ(classes.size(), vocabulary.size());
    const auto class_of = [&](const char* token) { return classes[static_cast<std::size_t>(vocabulary.id(token))]; };
    for (const char* token : {"<piece>", "pitch:60", "prog:3"}) EXPECT_EQ(class_of(token), C::pitch) << token;
    for (const char* token : {"bar", "pos:12", "vel:3", "shift:6"}) EXPECT_EQ(class_of(token), C::time) << token;
    EXPECT_EQ(class_of("dur:12"), C::duration);
    EXPECT_TRUE(compose::token_classes(music::SeedTokenizer(), vocabulary).empty());
}

TEST(KeyPull, LowersThePitchesOutsideThePieceScaleAndKeepsThePitchesOdds) {
    std::vector<std::string> tokens{"bar", "dur:12"};
    for (int key = 60; key <= 72; ++key) tokens.push_back("pitch:" + std::to_string(key));
    const music::Vocabulary vocabulary(tokens);
    const std::vector<int> classes = compose::pitch_classes(music::TimedTokenizer(), vocabulary);
    const auto id = [&](const std::string& token) { return static_cast<std::size_t>(vocabulary.id(token)); };
    EXPECT_EQ(classes[id("bar")], -1);
    EXPECT_EQ(classes[id("pitch:61")], 1);

    compose::KeyPull key(classes);
    std::vector<float> logits(vocabulary.size(), 0.0f);
    key.pull(logits, 2);  // no notes yet: nothing to keep to
    EXPECT_EQ(logits, std::vector<float>(vocabulary.size(), 0.0f));
    for (const int pitch : {60, 62, 64, 65, 67, 69, 71, 72}) key.push(vocabulary.id("pitch:" + std::to_string(pitch)));
    key.push(vocabulary.id("dur:12"));  // not a note
    key.pull(logits, 0);
    EXPECT_EQ(logits, std::vector<float>(vocabulary.size(), 0.0f));

    // C major holds all 8 notes: each pitch outside it loses 2 x 8 / (8 + 8) against those inside,
    // in every octave; the scale's own notes stay alike, whatever their count.
    key.pull(logits, 2);
    EXPECT_NEAR(logits[id("pitch:61")] - logits[id("pitch:60")], -1.0, 1e-5);
    EXPECT_NEAR(logits[id("pitch:70")] - logits[id("pitch:60")], -1.0, 1e-5);
    EXPECT_FLOAT_EQ(logits[id("pitch:62")], logits[id("pitch:72")]);
    EXPECT_FLOAT_EQ(logits[id("pitch:72")], logits[id("pitch:60")]);
    // The pitches' mass against the other tokens' is unchanged: 13 pitches at logit 0 before.
    double mass = 0;
    for (int key_number = 60; key_number <= 72; ++key_number) mass += std::exp(logits[id("pitch:" + std::to_string(key_number))]);
    EXPECT_NEAR(mass, 13.0, 1e-4);
    EXPECT_EQ(logits[id("bar")], 0.0f);
}

TEST(TokenRules, APieceInBarsEndsOnItsTonicTriadHeldForTheLastBar) {
    std::vector<std::string> tokens{"bar", "meter:4/4", "pos:0", "pos:12", "dur:12", "dur:24", "dur:48", "dur:96"};
    for (int pitch = 45; pitch <= 72; ++pitch) tokens.push_back("pitch:" + std::to_string(pitch));
    const music::Vocabulary vocabulary(tokens);
    const auto id = [&](const std::string& t) { return vocabulary.id(t); };
    const auto open = [&](const compose::TokenRules& rules) {
        std::vector<float> logits(vocabulary.size(), 0.0f);
        rules.forbid(logits);
        std::vector<std::string> out;
        for (std::size_t v = 0; v < logits.size(); ++v)
            if (logits[v] == 0.0f) out.push_back(vocabulary.token(static_cast<std::int64_t>(v)));
        return out;
    };
    compose::TokenRules rules(music::TimedTokenizer(), vocabulary);
    rules.begin({compose::PieceLength::Unit::bars, 3}, 500000, true);
    // Two bars in A minor: A, C and E, then the leading tone G# back to A.
    for (const char* t : {"bar", "meter:4/4", "pos:0", "pitch:57", "dur:12", "pos:12", "pitch:60", "dur:12", "pitch:64", "dur:12"})
        ASSERT_TRUE(rules.push(id(t))) << t;
    for (const char* t : {"bar", "pos:0", "pitch:56", "dur:12", "pos:12", "pitch:57", "dur:24"}) ASSERT_TRUE(rules.push(id(t))) << t;
    ASSERT_FALSE(rules.done());
    // The last bar: the downbeat, then an A below any other note, held the whole bar.
    EXPECT_TRUE(rules.push(id("bar")));
    EXPECT_EQ(open(rules), (std::vector<std::string>{"meter:4/4", "pos:0"}));
    EXPECT_TRUE(rules.push(id("pos:0")));
    EXPECT_EQ(open(rules), (std::vector<std::string>{"pitch:45", "pitch:57", "pitch:69"}));
    EXPECT_TRUE(rules.push(id("pitch:45")));
    EXPECT_EQ(open(rules), (std::vector<std::string>{"dur:48"}));
    EXPECT_TRUE(rules.push(id("dur:48")));
    // Then C and E above it, whichever first; nothing else until the triad is whole.
    EXPECT_EQ(open(rules), (std::vector<std::string>{"pitch:48", "pitch:52", "pitch:60", "pitch:64", "pitch:72"}));
    EXPECT_TRUE(rules.push(id("pitch:52")));
    EXPECT_TRUE(rules.push(id("dur:48")));
    EXPECT_EQ(open(rules), (std::vector<std::string>{"pitch:60", "pitch:72"}));
    EXPECT_TRUE(rules.push(id("pitch:60")));
    EXPECT_TRUE(rules.push(id("dur:48")));
    // Whole: a note of the triad above (a melody's last) or time moving on, which ends the piece.
    EXPECT_FALSE(rules.done());
    EXPECT_EQ(open(rules), (std::vector<std::string>{"bar", "pitch:64", "pitch:69", "pitch:72", "pos:12"}));
    EXPECT_TRUE(rules.push(id("pitch:69")));
    EXPECT_TRUE(rules.push(id("dur:48")));
    EXPECT_FALSE(rules.done());
    EXPECT_FALSE(rules.push(id("pos:12")));
    EXPECT_TRUE(rules.done());
    EXPECT_EQ(rules.notes(), 9);

    // Without the cadence the last bar is free, and a length in notes never has one.
    for (const bool in_bars : {true, false}) {
        compose::TokenRules free(music::TimedTokenizer(), vocabulary);
        free.begin(in_bars ? compose::PieceLength{compose::PieceLength::Unit::bars, 1} : compose::PieceLength{compose::PieceLength::Unit::notes, 4},
                   500000, !in_bars);
        EXPECT_TRUE(free.push(id("bar")));
        EXPECT_EQ(open(free), (std::vector<std::string>{"bar", "meter:4/4", "pos:0", "pos:12"}));
    }
}

TEST(TokenRules, APieceInSecondsHoldsItsCadenceToTheEndInTheMeterInForce) {
    const music::Vocabulary vocabulary({"bar", "meter:3/4", "pos:0", "pos:12", "dur:12", "dur:36", "pitch:48", "pitch:52", "pitch:55"});
    const auto id = [&](const char* t) { return vocabulary.id(t); };
    compose::TokenRules rules(music::TimedTokenizer(), vocabulary);
    rules.begin({compose::PieceLength::Unit::seconds, 3.5}, 500000, true);  // 7 beats at 120 BPM: 84 steps
    for (const char* t : {"bar", "meter:3/4", "pos:0", "pitch:48", "dur:12", "pos:12", "pitch:52", "dur:12"}) ASSERT_TRUE(rules.push(id(t)));
    // The second 3/4 bar starts 48 steps before the end, more than a bar: not yet the cadence.
    ASSERT_TRUE(rules.push(id("bar")));
    std::vector<float> logits(vocabulary.size(), 0.0f);
    rules.forbid(logits);
    EXPECT_EQ(logits[static_cast<std::size_t>(id("pos:12"))], 0.0f);
    for (const char* t : {"pos:0", "pitch:55", "dur:12"}) ASSERT_TRUE(rules.push(id(t)));
    // The third starts 12 steps before the end: C major's chord, held those 12 steps.
    ASSERT_TRUE(rules.push(id("bar")));
    ASSERT_TRUE(rules.push(id("pos:0")));
    ASSERT_TRUE(rules.push(id("pitch:48")));
    std::fill(logits.begin(), logits.end(), 0.0f);
    rules.forbid(logits);
    EXPECT_EQ(logits[static_cast<std::size_t>(id("dur:12"))], 0.0f);
    EXPECT_EQ(logits[static_cast<std::size_t>(id("dur:36"))], -std::numeric_limits<float>::infinity());
}

TEST(TokenRules, LengthsInBarsAndSecondsEndWhereTimeReachesThem) {
    const music::TimedTokenizer timed;
    const music::Vocabulary vocabulary({"bar", "pos:0", "pos:12", "pos:24", "pitch:60", "dur:12"});
    const auto id = [&](const char* token) { return vocabulary.id(token); };
    compose::TokenRules bars(timed, vocabulary);
    bars.begin({compose::PieceLength::Unit::bars, 2}, 500000);
    for (const char* t : {"bar", "pos:0", "pitch:60", "dur:12", "bar", "pos:12", "pitch:60", "dur:12"}) {
        EXPECT_FALSE(bars.done());
        EXPECT_TRUE(bars.push(id(t))) << t;
    }
    EXPECT_FALSE(bars.push(id("bar")));  // a third bar
    EXPECT_TRUE(bars.done());
    EXPECT_EQ(bars.notes(), 2);

    compose::TokenRules seconds(timed, vocabulary);  // 1 s at 120 BPM: two beats, 24 steps
    seconds.begin({compose::PieceLength::Unit::seconds, 1.0}, 500000);
    for (const char* t : {"bar", "pos:0", "pitch:60", "dur:12", "pos:12", "pitch:60", "dur:12"}) EXPECT_TRUE(seconds.push(id(t)));
    EXPECT_FALSE(seconds.push(id("pos:24")));
    EXPECT_TRUE(seconds.done());

    // Seed tokens are half a beat each: a 4/4 bar is 8 of them; the notes count from begin().
    const music::Vocabulary seed_vocabulary({"C4", "0.4.7"});
    compose::TokenRules seed(music::SeedTokenizer(), seed_vocabulary);
    seed.push(0);
    seed.begin({compose::PieceLength::Unit::bars, 1}, 500000);
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(seed.push(i % 2));
    EXPECT_FALSE(seed.push(0));
    compose::TokenRules notes(music::SeedTokenizer(), seed_vocabulary);
    notes.push(0);
    notes.begin({compose::PieceLength::Unit::notes, 3}, 500000);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(notes.done());
        notes.push(1);
    }
    EXPECT_TRUE(notes.done());
    EXPECT_THROW(notes.begin({compose::PieceLength::Unit::seconds, 0.1}, 500000), std::invalid_argument);
}

class GuardedComposition : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // A phrase each piece repeats from its own point: a tiny model learns to copy it verbatim.
        const std::vector<std::string> cycle = {"C4", "E4", "G4", "0.4.7", "D4", "F4", "A4", "2.5.9", "B3", "D4"};
        music::Corpus corpus;
        for (int p = 0; p < 10; ++p) {
            std::vector<std::string> tokens;
            for (std::size_t i = 0; i < 12 * cycle.size(); ++i) tokens.push_back(cycle[(i + static_cast<std::size_t>(p)) % cycle.size()]);
            corpus.add_piece("piece" + std::to_string(p) + ".mid", tokens);
        }
        dir_ = new fixtures::TempDir;
        const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(10, 0.2, 1), 2);
        train::train_lm(set, fixtures::tiny_job(*dir_ / "m.pianola"));
    }
    static void TearDownTestSuite() { delete dir_; }
    static fixtures::TempDir* dir_;
};
fixtures::TempDir* GuardedComposition::dir_ = nullptr;

TEST_F(GuardedComposition, NoRunGrowsPastTheLimit) {
    model::LoadedModel model = model::load_model(*dir_ / "m.pianola");
    ASSERT_FALSE(model.info.held_out_ids.empty());
    const compose::TrainingCopies copies(model.info);
    const std::vector<std::size_t> held_out = copies.held_out_runs();
    ASSERT_EQ(held_out.size(), 2u);
    EXPECT_GE(held_out[0], 100u);  // held-out pieces are the same phrase: they share all of it, bar the first pitch
    compose::ComposeOptions options;
    options.length.amount = 120;
    options.count = 4;
    options.seed = 7;
    options.sampling.temperature = 0.5;
    const auto independent = [&](const compose::ComposedPiece& piece) {
        const auto ids = model.info.vocabulary.encode(piece.tokens);
        return copies.index().longest_shared_run(copies.speller().spell(ids));
    };
    const auto free = compose::compose_lm(model, options, &copies);
    std::size_t longest_free = 0;
    for (const auto& piece : free) {
        EXPECT_EQ(piece.longest_copy, independent(piece));
        longest_free = std::max(longest_free, piece.longest_copy);
    }
    EXPECT_GT(longest_free, 30u);  // unguarded, the model replays its phrase
    options.max_copy = 6;
    int held = 0;
    for (const auto& piece : compose::compose_lm(model, options, &copies)) {
        EXPECT_EQ(piece.tokens.size(), 120u);
        EXPECT_EQ(piece.longest_copy, independent(piece));
        if (piece.guard_gave_way == 0) {
            EXPECT_LE(piece.longest_copy, 6u);
            ++held;
        }
    }
    EXPECT_GT(held, 0);  // seed tokens leave the guard another token at every step
}

// A server's shelf of loaded models: a model used again is the one kept (its guard index built,
// its copy limit measured once), a model file replaced on disk is loaded again, and the least
// recently used model leaves a full shelf.
TEST_F(GuardedComposition, ReadyModelsKeepAModelUntilItsFileChanges) {
    const std::filesystem::path path = *dir_ / "m.pianola", other = *dir_ / "other.pianola";
    std::filesystem::copy_file(path, other, std::filesystem::copy_options::overwrite_existing);
    compose::ReadyModels shelf(1);
    compose::ReadyModel& first = shelf.get(path);
    ASSERT_NE(first.copies(), nullptr);
    EXPECT_EQ(first.default_copy_limit(), compose::default_copy_limit(first.copies()->held_out_runs()));
    EXPECT_EQ(&shelf.get(path), &first);
    EXPECT_EQ(shelf.loads(), 1u);

    const std::vector<std::string> vocabulary = shelf.get(other).model.info.vocabulary.tokens();  // m.pianola leaves
    EXPECT_EQ(shelf.loads(), 2u);
    shelf.get(other);
    EXPECT_EQ(shelf.loads(), 2u);
    std::filesystem::last_write_time(other, std::filesystem::last_write_time(other) + std::chrono::seconds(5));
    EXPECT_EQ(shelf.get(other).model.info.vocabulary.tokens(), vocabulary);  // "trained again": loaded again
    EXPECT_EQ(shelf.loads(), 3u);
    shelf.get(path);
    EXPECT_EQ(shelf.loads(), 4u);
    EXPECT_EQ(shelf.size(), 1u);

    EXPECT_THROW(shelf.get(*dir_ / "missing.pianola"), FileError);
    EXPECT_EQ(shelf.size(), 1u);  // a failed load leaves the shelf as it was
}

TEST_F(GuardedComposition, APrimerIsTheHeadOfEveryPiece) {
    model::LoadedModel model = model::load_model(*dir_ / "m.pianola");
    compose::ComposeOptions options;
    options.length.amount = 20;
    options.count = 2;
    options.primer = {"D4", "F4", "A4"};
    const auto pieces = compose::compose_lm(model, options, nullptr);
    for (const auto& piece : pieces) {
        ASSERT_EQ(piece.tokens.size(), 23u);
        EXPECT_EQ(std::vector<std::string>(piece.tokens.begin(), piece.tokens.begin() + 3), options.primer);
        EXPECT_EQ(piece.primer_tokens, 3u);
    }
    EXPECT_EQ(pieces[0].tokens[3], "2.5.9");  // argmax: the phrase goes on
    options.primer = {"C#9"};
    EXPECT_THROW(compose::compose_lm(model, options, nullptr), std::invalid_argument);
}
