// A file's length and bar lines in seconds, as the renderer and the piano roll see them.
#include <gtest/gtest.h>

#include <array>

#include "audio/Timeline.h"
#include "midi/TempoMap.h"

using namespace pianola;

namespace {

constexpr std::uint32_t beat = 480;

}  // namespace

TEST(Timeline, BarsFollowTimeSignaturesAndTempo) {
    midi::MidiFile file;
    file.division = beat;
    midi::Track& t = file.tracks.emplace_back();
    const std::array<std::uint8_t, 4> three_four = {3, 2, 24, 8}, six_eight = {6, 3, 24, 8};
    const std::array<std::uint8_t, 3> half_speed = {0x0F, 0x42, 0x40};  // 1,000,000 us a quarter
    t.add_payload_event(0, midi::status::meta, midi::meta::time_signature, three_four);
    t.add_payload_event(6 * beat, midi::status::meta, midi::meta::time_signature, six_eight);
    t.add_payload_event(6 * beat, midi::status::meta, midi::meta::tempo, half_speed);
    t.add_payload_event(12 * beat, midi::status::meta, midi::meta::end_of_track, {});
    const midi::TempoMap tempo(file);
    const std::vector<audio::BarLine> bars = audio::bar_lines(file, tempo, beat);
    // 3/4 at 120 BPM: bars at 0 and 1.5 s; then 6/8 (three quarters) at 60 BPM: 3.0 s and 6.0 s.
    // The file ends at 9.0 s, where no bar starts.
    ASSERT_EQ(bars.size(), 4u);
    const std::array<double, 4> expected = {0.0, 1.5, 3.0, 6.0};
    for (std::size_t i = 0; i < bars.size(); ++i) {
        EXPECT_DOUBLE_EQ(bars[i].seconds, expected[i]) << i;
        EXPECT_EQ(bars[i].number, static_cast<int>(i) + 1);
    }
    EXPECT_DOUBLE_EQ(audio::end_seconds(file, tempo), 9.0);
}
