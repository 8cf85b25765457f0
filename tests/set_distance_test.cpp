// Tests of eval::SetDistance (Yang and Lerch's overlapping area per feature) on samples whose
// overlap is known by hand, and of MusicStats' rhythm entropy on rhythms counted by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eval/MusicStats.h"
#include "eval/SetDistance.h"

namespace pianola {
namespace {

// n values evenly through [from, from + width).
std::vector<double> even(double from, double width, int n) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) v.push_back(from + width * (i + 0.5) / n);
    return v;
}

TEST(OverlappingArea, KnownByHand) {
    const std::vector<double> a = even(0, 1, 1000);
    EXPECT_NEAR(eval::overlapping_area(a, a), 1.0, 1e-3);
    // Two uniform densities of width 1 offset by a half share half their area; smoothing moves as
    // much area out of the overlap at each edge as into it.
    EXPECT_NEAR(eval::overlapping_area(a, even(0.5, 1, 1000)), 0.5, 0.01);
    EXPECT_NEAR(eval::overlapping_area(even(0, 1, 5), even(10, 1, 5)), 0.0, 1e-6);
    // One value each: the same value overlaps wholly, two values not at all.
    EXPECT_DOUBLE_EQ(eval::overlapping_area(std::vector<double>{3}, std::vector<double>{3}), 1.0);
    EXPECT_NEAR(eval::overlapping_area(std::vector<double>{3}, std::vector<double>{4}), 0.0, 1e-6);
    EXPECT_THROW(eval::overlapping_area(std::vector<double>{}, a), std::invalid_argument);
}

TEST(OverlappingArea, IsSymmetric) {
    const std::vector<double> a{1, 2, 2, 3, 7}, b{2, 4, 4.5, 5, 6, 9};
    EXPECT_DOUBLE_EQ(eval::overlapping_area(a, b), eval::overlapping_area(b, a));
    EXPECT_GT(eval::overlapping_area(a, b), 0.2);
    EXPECT_LT(eval::overlapping_area(a, b), 0.9);
}

eval::MusicStats piece(int range, double polyphony, double scale, int tonic) {
    eval::MusicStats s;
    s.pitch_range = range;
    s.polyphony = polyphony;
    s.scale_consistency = scale;
    s.ioi_entropy = polyphony / 2;
    s.duration_entropy = scale * 2;
    s.distinct_4grams = scale / 2;
    for (const int step : {0, 2, 4, 5, 7, 9, 11}) s.pitch_class_histogram[static_cast<std::size_t>((tonic + step) % 12)] = 1.0 / 7;
    return s;
}

TEST(SetDistance, IdenticalNearZeroDisjointNearOneSymmetric) {
    std::vector<eval::MusicStats> human, composed, narrow;
    for (int i = 0; i < 10; ++i) {
        human.push_back(piece(30 + 2 * i, 2 + 0.2 * i, 0.8 + 0.02 * i, i));
        composed.push_back(piece(31 + 2 * i, 2.1 + 0.2 * i, 0.81 + 0.02 * i, 0));  // the same music in C
        narrow.push_back(piece(5 + i % 2, 1, 0.4 + 0.01 * i, 0));
        narrow.back().pitch_class_histogram = {};
        narrow.back().pitch_class_histogram[0] = 1;
    }
    const eval::SetDistance same = eval::set_distance(human, human);
    ASSERT_EQ(same.features.size(), eval::distance_feature_names().size());
    for (const eval::FeatureDistance& f : same.features) EXPECT_NEAR(f.distance, 0, 2e-3) << f.name;
    // Histograms that differ only by key are the same feature.
    EXPECT_NEAR(eval::set_distance(human, composed).features.front().distance, 0, 2e-3);
    EXPECT_LT(eval::set_distance(human, composed).total, 0.2);
    const eval::SetDistance apart = eval::set_distance(human, narrow);
    for (const eval::FeatureDistance& f : apart.features) EXPECT_GT(f.distance, 0.95) << f.name;
    EXPECT_DOUBLE_EQ(apart.total, eval::set_distance(narrow, human).total);
    EXPECT_THROW(eval::set_distance(human, {}), std::invalid_argument);
}

// Onsets `gaps` ticks apart at 480 ticks per beat, one note each.
music::Score rhythm(const std::vector<std::uint32_t>& gaps) {
    music::Score score;
    std::uint32_t tick = 0;
    for (std::size_t i = 0; i <= gaps.size(); ++i) {
        music::Note n;
        n.start_tick = tick;
        n.end_tick = tick + 120;
        n.start_s = tick / 960.0;
        n.end_s = n.end_tick / 960.0;
        n.pitch = 60;
        score.notes.push_back(n);
        if (i < gaps.size()) tick += gaps[i];
    }
    return score;
}

TEST(MusicStats, InterOnsetEntropyInBitsOnATwelfthBeatGrid) {
    EXPECT_DOUBLE_EQ(eval::music_stats(rhythm({240, 240, 240, 240})).ioi_entropy, 0);
    EXPECT_DOUBLE_EQ(eval::music_stats(rhythm({480, 240, 480, 240})).ioi_entropy, 1);
    EXPECT_DOUBLE_EQ(eval::music_stats(rhythm({480, 240, 120, 160})).ioi_entropy, 2);
    // 40 and 50 ticks fall on one 1/12-beat step (40 ticks): one interval for the entropy, two on the
    // 1/48-beat grid distinct intervals are counted on.
    const eval::MusicStats s = eval::music_stats(rhythm({40, 50, 40, 50}));
    EXPECT_DOUBLE_EQ(s.ioi_entropy, 0);
    EXPECT_EQ(s.distinct_intervals, 2);
    EXPECT_DOUBLE_EQ(eval::music_stats(rhythm({})).ioi_entropy, 0);
}

TEST(MusicStats, NoteLengthEntropyInBitsOnATwelfthBeatGridHeldNotesAsOne) {
    const auto lengths = [](const std::vector<std::uint32_t>& ticks) {
        music::Score score = rhythm(std::vector<std::uint32_t>(ticks.size() - 1, 480));
        for (std::size_t i = 0; i < ticks.size(); ++i) score.notes[i].end_tick = score.notes[i].start_tick + ticks[i];
        return eval::music_stats(score).duration_entropy;
    };
    EXPECT_DOUBLE_EQ(lengths({120, 120, 120, 120}), 0) << "every note one length";
    EXPECT_DOUBLE_EQ(lengths({120, 480, 120, 480}), 1);
    EXPECT_DOUBLE_EQ(lengths({120, 130, 480, 960}), 1.5) << "120 and 130 ticks are one 1/12-beat step";
    EXPECT_DOUBLE_EQ(lengths({4000, 9000, 120, 120}), 1) << "8 beats (3,840 ticks) and longer count as one length";
}

}  // namespace
}  // namespace pianola
