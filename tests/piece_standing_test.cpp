// Tests of eval::piece_standing: quartiles of human pieces known by hand, the flag only outside
// their whole range, and eval::quantile's interpolation.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "eval/PieceStanding.h"
#include "eval/Quantile.h"

namespace pianola {
namespace {

eval::MusicStats with_range_and_polyphony(int range, double polyphony) {
    eval::MusicStats s;
    s.pitch_range = range;
    s.polyphony = polyphony;
    return s;
}

const eval::FeatureStanding& feature(const std::vector<eval::FeatureStanding>& all, std::string_view name) {
    for (const eval::FeatureStanding& f : all)
        if (f.name == name) return f;
    throw std::out_of_range(std::string(name));
}

TEST(Quantile, InterpolatesBetweenNeighbours) {
    const std::vector<double> v{10, 20, 30, 40, 50};
    EXPECT_DOUBLE_EQ(eval::quantile(v, 0), 10);
    EXPECT_DOUBLE_EQ(eval::quantile(v, 0.25), 20);
    EXPECT_DOUBLE_EQ(eval::quantile(v, 0.5), 30);
    EXPECT_DOUBLE_EQ(eval::quantile(v, 0.6), 34);  // 0.6 x 4 = 2.4: 30 + 0.4 x 10
    EXPECT_DOUBLE_EQ(eval::quantile(v, 1), 50);
    EXPECT_DOUBLE_EQ(eval::quantile({7}, 0.5), 7);
}

TEST(PieceStanding, QuartilesOfTheHumanPiecesAndAFlagOutsideTheirRange) {
    const std::vector<eval::MusicStats> human{with_range_and_polyphony(40, 2), with_range_and_polyphony(44, 3),
                                              with_range_and_polyphony(48, 4), with_range_and_polyphony(52, 5),
                                              with_range_and_polyphony(56, 6)};
    const std::vector<eval::FeatureStanding> inside = eval::piece_standing(with_range_and_polyphony(41, 5.5), human);
    ASSERT_EQ(inside.size(), eval::stat_fields().size());
    for (std::size_t i = 0; i < inside.size(); ++i) EXPECT_EQ(inside[i].name, eval::stat_fields()[i].name);
    const eval::FeatureStanding& range = feature(inside, "pitch_range");
    EXPECT_DOUBLE_EQ(range.value, 41);
    EXPECT_DOUBLE_EQ(range.low, 40);
    EXPECT_DOUBLE_EQ(range.q1, 44);
    EXPECT_DOUBLE_EQ(range.median, 48);
    EXPECT_DOUBLE_EQ(range.q3, 52);
    EXPECT_DOUBLE_EQ(range.high, 56);
    // Below the first quartile but within the range: human pieces go there too.
    EXPECT_FALSE(range.outside);
    EXPECT_FALSE(feature(inside, "polyphony").outside);

    const std::vector<eval::FeatureStanding> outside = eval::piece_standing(with_range_and_polyphony(39, 6.5), human);
    EXPECT_TRUE(feature(outside, "pitch_range").outside);
    EXPECT_TRUE(feature(outside, "polyphony").outside);
    EXPECT_FALSE(feature(outside, "notes").outside);  // 0, as every human piece here

    EXPECT_THROW(eval::piece_standing(with_range_and_polyphony(40, 2), {}), std::invalid_argument);
}

}  // namespace
}  // namespace pianola
