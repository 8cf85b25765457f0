// SeedTokenizer and Vocabulary: the original design's tokens from Scores built in code, decoding
// tokens back to pitches and notes, and the id order the model file relies on.
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "music/Score.h"
#include "music/SeedTokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::music {
namespace {

// Notes given as (tick, pitch, channel, track), in the Score's own order.
Score score_of(const std::vector<std::array<int, 4>>& notes) {
    Score score;
    for (const auto& [tick, pitch, channel, track] : notes) {
        Note n;
        n.start_tick = static_cast<std::uint32_t>(tick);
        n.end_tick = n.start_tick + 10;
        n.pitch = static_cast<std::uint8_t>(pitch);
        n.channel = static_cast<std::uint8_t>(channel);
        n.track = static_cast<std::uint16_t>(track);
        score.notes.push_back(n);
    }
    return score;
}

using Tokens = std::vector<std::string>;

TEST(SeedTokenizer, NamesSingleNotesAndNormalOrdersChords) {
    const Score score = score_of({{0, 60, 0, 0},
                                  {10, 61, 0, 0},
                                  {20, 60, 0, 0}, {20, 64, 0, 0}, {20, 67, 0, 0},   // C major
                                  {30, 62, 0, 0}, {30, 65, 0, 0}, {30, 71, 0, 0},   // B diminished
                                  {40, 64, 0, 0}, {40, 67, 0, 1}, {40, 72, 1, 2}}); // across tracks
    EXPECT_EQ(SeedTokenizer().tokenize(score), (Tokens{"C4", "C#4", "0.4.7", "11.2.5", "0.4.7"}));
}

TEST(SeedTokenizer, OctavesOfOnePitchClassAreAChord) {
    EXPECT_EQ(SeedTokenizer().tokenize(score_of({{0, 48, 0, 0}, {0, 60, 0, 0}})), (Tokens{"0"}));
    // The same pitch struck twice at once (two tracks) is still one note.
    EXPECT_EQ(SeedTokenizer().tokenize(score_of({{0, 60, 0, 0}, {0, 60, 0, 1}})), (Tokens{"C4"}));
}

TEST(SeedTokenizer, DropsDrums) {
    const Score score = score_of({{0, 36, drum_channel, 0},                          // drums only: no token
                                  {10, 42, drum_channel, 0}, {10, 63, 0, 0},         // drum + one note
                                  {20, 38, drum_channel, 0}, {20, 60, 0, 0}, {20, 64, 0, 0}});
    EXPECT_EQ(SeedTokenizer().tokenize(score), (Tokens{"E-4", "0.4"}));
    EXPECT_TRUE(SeedTokenizer().tokenize(Score{}).empty());
}

TEST(SeedTokenizer, PitchesOfNotesAndChords) {
    const SeedTokenizer tokenizer;
    EXPECT_EQ(tokenizer.pitches_of("C#4"), (std::vector<std::uint8_t>{61}));
    EXPECT_EQ(tokenizer.pitches_of("E--1"), (std::vector<std::uint8_t>{3}));
    EXPECT_EQ(tokenizer.pitches_of("0"), (std::vector<std::uint8_t>{60}));
    EXPECT_EQ(tokenizer.pitches_of("0.4.7"), (std::vector<std::uint8_t>{60, 64, 67}));
    EXPECT_EQ(tokenizer.pitches_of("11.2.5"), (std::vector<std::uint8_t>{71, 62, 65}));
}

TEST(SeedTokenizer, RejectsMalformedTokens) {
    const SeedTokenizer tokenizer;
    for (const char* token : {"", "H4", "C#10", "12", "0..4", ".4", "4.", "0.0", "01", "-1", "1.x", "0.4.7 "})
        EXPECT_THROW(tokenizer.pitches_of(token), std::invalid_argument) << '"' << token << '"';
}

TEST(SeedTokenizer, ComposesOneStepPerToken) {
    const Score score = SeedTokenizer().compose_score({"C4", "11.2.5", "E-2"}, 480, 240, 500'000);
    EXPECT_EQ(score.ticks_per_quarter, 480);
    EXPECT_EQ(score.tempo_us, 500'000u);
    std::vector<std::array<int, 3>> notes;
    for (const Note& n : score.notes) {
        notes.push_back({static_cast<int>(n.start_tick), static_cast<int>(n.end_tick), n.pitch});
        EXPECT_EQ(n.channel, 0);
        EXPECT_EQ(n.velocity, 90);
        EXPECT_DOUBLE_EQ(n.end_s - n.start_s, 0.25);
    }
    EXPECT_EQ(notes, (std::vector<std::array<int, 3>>{
                         {0, 240, 60}, {240, 480, 62}, {240, 480, 65}, {240, 480, 71}, {480, 720, 39}}));
    EXPECT_DOUBLE_EQ(score.notes.back().start_s, 0.5);
}

TEST(SeedTokenizer, ComposedTokensTokenizeBackToThemselves) {
    const Tokens tokens = {"C4", "0.4.7", "G#2", "11.2.5", "4.6.10.0", "B-7"};
    const SeedTokenizer tokenizer;
    EXPECT_EQ(tokenizer.tokenize(tokenizer.compose_score(tokens, 96, 48, 500'000)), tokens);
}

TEST(SeedTokenizer, TransposingTokensEqualsTokenizingTheTransposedScore) {
    const std::vector<std::array<int, 4>> notes = {{0, 60, 0, 0}, {10, 61, 0, 0}, {20, 62, 0, 0}, {20, 65, 0, 0},
                                                   {20, 71, 0, 0}, {30, 48, 0, 0}, {30, 60, 0, 0}, {40, 127, 0, 0}};
    const SeedTokenizer tokenizer;
    const Tokens tokens = tokenizer.tokenize(score_of(notes));
    for (int shift = -6; shift <= 6; ++shift) {
        std::vector<std::array<int, 4>> moved = notes;
        for (auto& note : moved) note[1] += shift;
        if (shift > 0) moved.pop_back();  // 127 + shift is no MIDI pitch
        const Tokens expected = tokenizer.tokenize(score_of(moved));
        for (std::size_t i = 0; i < expected.size(); ++i)
            EXPECT_EQ(tokenizer.transpose(tokens[i], shift), expected[i]) << tokens[i] << " by " << shift;
    }
    EXPECT_EQ(tokenizer.transpose("G9", 1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("C-1", -1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("11.2.5", 1), "0.3.6");
    EXPECT_THROW(tokenizer.transpose("H4", 1), std::invalid_argument);
}

TEST(SeedTokenizer, ComposeRejectsZeroTiming) {
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 0, 240, 500'000), std::invalid_argument);
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 480, 0, 500'000), std::invalid_argument);
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 480, 240, 0), std::invalid_argument);
}

TEST(Vocabulary, IdsAreRanksInByteOrder) {
    const Vocabulary vocabulary(Tokens{"C4", "0.4.7", "C4", "B-3", "11.2.5", "C#4"});
    EXPECT_EQ(vocabulary.tokens(), (Tokens{"0.4.7", "11.2.5", "B-3", "C#4", "C4"}));
    EXPECT_EQ(vocabulary.size(), 5u);
    EXPECT_EQ(vocabulary.id("0.4.7"), 0);
    EXPECT_EQ(vocabulary.id("C4"), 4);
    EXPECT_EQ(vocabulary.token(2), "B-3");
    EXPECT_TRUE(vocabulary.contains("C#4"));
    EXPECT_FALSE(vocabulary.contains("D4"));
    EXPECT_EQ(vocabulary.encode({"C4", "C4", "B-3"}), (std::vector<std::int64_t>{4, 4, 2}));
}

TEST(Vocabulary, UnknownTokensAndIdsThrow) {
    const Vocabulary vocabulary(Tokens{"C4"});
    EXPECT_THROW(vocabulary.id("D4"), std::out_of_range);
    EXPECT_THROW(vocabulary.encode({"C4", "D4"}), std::out_of_range);
    EXPECT_THROW(vocabulary.token(1), std::out_of_range);
    EXPECT_EQ(Vocabulary().size(), 0u);
}

}  // namespace
}  // namespace pianola::music
