// Tests for TempoMap against times worked out by hand: the default tempo, changes spread over
// tracks, malformed tempo events, and the SMPTE frame rates (29.97 included).
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "TestFiles.h"
#include "midi/TempoMap.h"

namespace pianola::midi {
namespace {

MidiFile file_with_tracks(std::uint16_t division, std::size_t tracks) {
    MidiFile file;
    file.division = division;
    file.tracks.resize(tracks);
    return file;
}

TEST(TempoMap, DefaultsTo120BeatsPerMinute) {
    const TempoMap map(file_with_tracks(480, 1));
    EXPECT_EQ(map.tempo_at(0), 500000u);
    EXPECT_EQ(map.tempo_at(1000000), 500000u);
    EXPECT_DOUBLE_EQ(map.seconds_at(480), 0.5);
    EXPECT_DOUBLE_EQ(map.seconds_at(4800), 5.0);
}

TEST(TempoMap, AddsUpTwoTempoChangesFromDifferentTracks) {
    MidiFile file = file_with_tracks(480, 2);
    fixtures::add_tempo(file.tracks[1], 1920, 250000);   // 240 BPM from beat 4; listed first, sorted by tick
    fixtures::add_tempo(file.tracks[0], 960, 1000000);   // 60 BPM from beat 2
    const TempoMap map(file);

    // Beats 0-2 at 0.5 s, beats 2-4 at 1 s, then 0.25 s a beat.
    EXPECT_DOUBLE_EQ(map.seconds_at(0), 0.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(480), 0.5);
    EXPECT_DOUBLE_EQ(map.seconds_at(960), 1.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(1440), 2.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(1920), 3.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(2400), 3.25);
    EXPECT_DOUBLE_EQ(map.seconds_at(1921), 3.0 + 0.25 / 480);

    EXPECT_EQ(map.tempo_at(959), 500000u);
    EXPECT_EQ(map.tempo_at(960), 1000000u);
    EXPECT_EQ(map.tempo_at(1919), 1000000u);
    EXPECT_EQ(map.tempo_at(1920), 250000u);
}

TEST(TempoMap, ListsItsChangesAndIsBuiltFromThem) {
    MidiFile file = file_with_tracks(480, 2);
    fixtures::add_tempo(file.tracks[1], 1920, 250000);
    fixtures::add_tempo(file.tracks[0], 960, 1000000);
    fixtures::add_tempo(file.tracks[0], 1440, 1000000);  // no change
    fixtures::add_tempo(file.tracks[0], 0, 500000);
    const TempoMap read(file);
    const std::vector<TempoMap::Change> changes = {{960, 1000000}, {1920, 250000}};
    EXPECT_EQ(read.changes(), changes);
    const TempoMap built(480, 500000, changes);
    for (const std::uint32_t tick : {0u, 480u, 960u, 1500u, 1920u, 2400u}) EXPECT_DOUBLE_EQ(built.seconds_at(tick), read.seconds_at(tick)) << tick;
    EXPECT_EQ(built.changes(), changes);
    EXPECT_TRUE(TempoMap(file_with_tracks(480, 1)).changes().empty());
    EXPECT_THROW(TempoMap(480, 0, {}), std::invalid_argument);
    EXPECT_THROW(TempoMap(480, 500000, {{960, 0}}), std::invalid_argument);
    EXPECT_THROW(TempoMap(480, 500000, {{960, 400000}, {480, 400000}}), std::invalid_argument) << "out of tick order";
    EXPECT_THROW(TempoMap(0, 500000, {}), std::invalid_argument);
}

TEST(TempoMap, LaterTempoAtTheSameTickWins) {
    MidiFile file = file_with_tracks(96, 2);
    fixtures::add_tempo(file.tracks[0], 0, 1000000);
    fixtures::add_tempo(file.tracks[0], 0, 400000);
    fixtures::add_tempo(file.tracks[1], 0, 600000);
    const TempoMap map(file);
    EXPECT_EQ(map.tempo_at(0), 600000u);
    EXPECT_DOUBLE_EQ(map.seconds_at(96), 0.6);
}

TEST(TempoMap, SkipsMalformedTempoEvents) {
    MidiFile file = file_with_tracks(480, 1);
    file.tracks[0].add_payload_event(0, status::meta, meta::tempo, std::vector<std::uint8_t>{0x0F, 0x42});
    fixtures::add_tempo(file.tracks[0], 480, 0);
    const TempoMap map(file);
    EXPECT_EQ(map.tempo_at(1000), 500000u);
    EXPECT_DOUBLE_EQ(map.seconds_at(960), 1.0);
}

TEST(TempoMap, SmpteDivisionHasAFixedTickLength) {
    // -25 frames per second (0xE7), 40 ticks per frame: 1 ms a tick, whatever the tempo says.
    MidiFile file = file_with_tracks(0xE728, 1);
    fixtures::add_tempo(file.tracks[0], 100, 1000000);
    const TempoMap map(file);
    EXPECT_DOUBLE_EQ(map.seconds_at(1000), 1.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(2500), 2.5);
    EXPECT_EQ(map.tempo_at(100), 1000000u);  // still reported, for notation

    EXPECT_DOUBLE_EQ(TempoMap(file_with_tracks(0xE850, 1)).seconds_at(1920), 1.0);  // 24 fps x 80
    EXPECT_DOUBLE_EQ(TempoMap(file_with_tracks(0xE20A, 1)).seconds_at(300), 1.0);   // 30 fps x 10
    // -29 is 29.97 (30000/1001) frames per second: 2400 ticks at 80 a frame are 1.001 s.
    EXPECT_DOUBLE_EQ(TempoMap(file_with_tracks(0xE350, 1)).seconds_at(2400), 1.001);
}

TEST(TempoMap, RefusesADivisionWithoutTickLength) {
    EXPECT_THROW(TempoMap(file_with_tracks(0, 1)), std::invalid_argument);
    EXPECT_THROW(TempoMap(file_with_tracks(0xE700, 1)), std::invalid_argument);
}

}  // namespace
}  // namespace pianola::midi
