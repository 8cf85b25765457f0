// Pitch names and normal order against the original design's spelling. The normal-order cases
// were produced by the Python peer's normal_order (shared/peers/seed_torch.py), not by hand.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "music/PitchSpelling.h"

namespace pianola::music {
namespace {

TEST(PitchName, SpellsSharpsFlatsAndOctaves) {
    EXPECT_EQ(pitch_name(60), "C4");
    EXPECT_EQ(pitch_name(61), "C#4");
    EXPECT_EQ(pitch_name(63), "E-4");
    EXPECT_EQ(pitch_name(70), "B-4");
    EXPECT_EQ(pitch_name(69), "A4");
    EXPECT_EQ(pitch_name(0), "C-1");
    EXPECT_EQ(pitch_name(3), "E--1");
    EXPECT_EQ(pitch_name(127), "G9");
}

TEST(ParsePitchName, ReadsNamesBack) {
    EXPECT_EQ(parse_pitch_name("C4"), 60);
    EXPECT_EQ(parse_pitch_name("C#4"), 61);
    EXPECT_EQ(parse_pitch_name("E-4"), 63);
    EXPECT_EQ(parse_pitch_name("C-1"), 0);
    EXPECT_EQ(parse_pitch_name("E--1"), 3);
    EXPECT_EQ(parse_pitch_name("B--1"), 10);
    EXPECT_EQ(parse_pitch_name("G9"), 127);
}

TEST(ParsePitchName, EveryNameReadsBackButTheTwoAmbiguousOnes) {
    for (int pitch = 0; pitch < 128; ++pitch) {
        const auto p = static_cast<std::uint8_t>(pitch);
        if (pitch == 4 || pitch == 11) continue;
        EXPECT_EQ(parse_pitch_name(pitch_name(p)), p) << pitch_name(p);
    }
    // "E-1" spells both E in octave -1 and E-flat 1; the flat, a playable note, wins.
    EXPECT_EQ(pitch_name(4), pitch_name(27));
    EXPECT_EQ(parse_pitch_name("E-1"), 27);
    EXPECT_EQ(parse_pitch_name("B-1"), 34);
}

TEST(ParsePitchName, RejectsWhatIsNotAName) {
    for (const char* text : {"", "C", "c4", "H4", "Db4", "D-4", "C#", "E-", "E--", "G#9", "A9", "C10", "C-2",
                             "C+4", "C 4", "C4 ", "C#-", "0", "0.4.7", "C##4", "E-01"})
        EXPECT_EQ(parse_pitch_name(text), std::nullopt) << '"' << text << '"';
}

TEST(NormalOrder, MatchesThePeer) {
    const std::vector<std::pair<std::vector<int>, std::vector<int>>> cases = {
        {{0, 4, 7}, {0, 4, 7}},
        {{4, 9}, {4, 9}},
        {{11, 2, 5}, {11, 2, 5}},
        {{4, 7, 0}, {0, 4, 7}},  // inversions
        {{7, 0, 4}, {0, 4, 7}},
        {{0, 4, 8}, {0, 4, 8}},        // symmetric: every rotation ties, the lowest start wins
        {{0, 3, 6, 9}, {0, 3, 6, 9}},
        {{0, 6}, {0, 6}},
        {{0, 0, 4}, {0, 4}},           // duplicates
        {{5}, {5}},
        {{}, {}},
        {{0, 1, 11}, {11, 0, 1}},
        {{0, 1, 3, 7}, {0, 1, 3, 7}},
        {{0, 1, 5, 8}, {0, 1, 5, 8}},  // span tie broken by the last-but-one note
        {{0, 4, 6, 10}, {4, 6, 10, 0}},  // full tie between two rotations: the lower start wins
        {{9, 11, 1, 4}, {9, 11, 1, 4}},
        {{2, 5, 8, 11, 0}, {11, 0, 2, 5, 8}},
        {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
    };
    for (const auto& [input, expected] : cases) EXPECT_EQ(normal_order(input), expected);
}

TEST(NormalOrder, TakesPitchesModTwelve) {
    EXPECT_EQ(normal_order({60, 64, 67, 72}), (std::vector<int>{0, 4, 7}));
    EXPECT_EQ(normal_order({71, 62, 65}), (std::vector<int>{11, 2, 5}));
}

}  // namespace
}  // namespace pianola::music
