// Tests for MidiWriter: exact bytes for small files (delta-time encoding, no running status,
// the appended end-of-track) and a round trip through MidiReader of every kind of event.
// Reader error handling is tested in midi_reader_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "io/AtomicFile.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"

namespace pianola::midi {
namespace {

using Bytes = std::vector<std::uint8_t>;

void add_meta(Track& track, std::uint32_t tick, std::uint8_t type, const Bytes& payload) {
    track.add_payload_event(tick, status::meta, type, payload);
}

void add_text(Track& track, std::uint32_t tick, std::uint8_t type, std::string_view text) {
    add_meta(track, tick, type, Bytes(text.begin(), text.end()));
}

MidiFile every_kind_of_event() {
    MidiFile file;
    file.format = 1;
    file.division = 384;
    Track& conductor = file.tracks.emplace_back();
    add_text(conductor, 0, meta::track_name, "Conductor");
    add_meta(conductor, 0, meta::tempo, {0x07, 0xA1, 0x20});
    add_meta(conductor, 0, meta::time_signature, {0x03, 0x02, 0x18, 0x08});
    add_meta(conductor, 0, meta::key_signature, {0xFD, 0x01});  // 3 flats, minor
    add_text(conductor, 768, meta::text, "second bar");
    add_meta(conductor, 1536, meta::tempo, {0x0F, 0x42, 0x40});
    add_meta(conductor, 1536, meta::end_of_track, {});

    Track& piano = file.tracks.emplace_back();
    piano.add_channel_event(0, 0xC3, 5);
    piano.add_channel_event(0, 0xB3, 7, 100);
    piano.add_payload_event(0, status::sysex, 0, Bytes{0x7E, 0x7F, 0x09, 0x01, 0xF7});
    piano.add_channel_event(0, 0x93, 60, 90);
    piano.add_channel_event(0, 0x93, 64, 80);
    piano.add_channel_event(200, 0xE3, 0x00, 0x50);
    piano.add_channel_event(384, 0x83, 60, 64);
    piano.add_channel_event(384, 0x93, 64, 0);
    piano.add_channel_event(400, 0xA3, 67, 30);
    piano.add_channel_event(500, 0xD3, 40);
    piano.add_payload_event(20000, status::sysex_escape, 0, Bytes{0xF3, 0x01});
    piano.add_channel_event(300000, 0x99, 36, 127);  // drums, after a 4-byte delta
    return file;
}

void expect_same_events(const Track& expected, const Track& actual) {
    ASSERT_EQ(expected.events.size(), actual.events.size());
    for (std::size_t i = 0; i < expected.events.size(); ++i) {
        const Event& e = expected.events[i];
        const Event& a = actual.events[i];
        SCOPED_TRACE("event " + std::to_string(i));
        EXPECT_EQ(e.tick, a.tick);
        EXPECT_EQ(e.status, a.status);
        EXPECT_EQ(e.meta_type, a.meta_type);
        EXPECT_EQ(e.d1, a.d1);
        EXPECT_EQ(e.d2, a.d2);
        const auto ep = expected.payload_of(e), ap = actual.payload_of(a);
        EXPECT_EQ(Bytes(ep.begin(), ep.end()), Bytes(ap.begin(), ap.end()));
    }
}

TEST(MidiWriter, RoundTripsEveryKindOfEvent) {
    MidiFile original = every_kind_of_event();
    const MidiFile read_back = read_midi(write_midi(original), "round-trip.mid");
    EXPECT_EQ(read_back.format, 1);
    EXPECT_EQ(read_back.division, 384);
    ASSERT_EQ(read_back.tracks.size(), 2u);
    expect_same_events(original.tracks[0], read_back.tracks[0]);

    // The piano track had no end-of-track; the writer adds one at its last tick.
    original.tracks[1].add_payload_event(300000, status::meta, meta::end_of_track, {});
    expect_same_events(original.tracks[1], read_back.tracks[1]);
}

TEST(MidiWriter, WritesPlainBytesWithoutRunningStatus) {
    MidiFile file;
    file.format = 0;
    file.division = 96;
    Track& track = file.tracks.emplace_back();
    track.add_channel_event(0, 0x90, 60, 64);
    track.add_channel_event(0x80, 0x90, 62, 64);
    track.add_channel_event(0x80, 0xC0, 3);
    const Bytes expected = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
                            'M', 'T', 'r', 'k', 0, 0, 0, 16,
                            0x00, 0x90, 60, 64,
                            0x81, 0x00, 0x90, 62, 64,  // status repeated, no running status
                            0x00, 0xC0, 3,             // one data byte
                            0x00, 0xFF, 0x2F, 0x00};
    EXPECT_EQ(write_midi(file), expected);
}

TEST(MidiWriter, EncodesDeltaTimesAtEveryLengthBoundary) {
    const std::vector<std::pair<std::uint32_t, Bytes>> cases = {
        {0, {0x00}},
        {0x7F, {0x7F}},
        {0x80, {0x81, 0x00}},
        {0x3FFF, {0xFF, 0x7F}},
        {0x4000, {0x81, 0x80, 0x00}},
        {0x1FFFFF, {0xFF, 0xFF, 0x7F}},
        {0x200000, {0x81, 0x80, 0x80, 0x00}},
        {0x0FFFFFFF, {0xFF, 0xFF, 0xFF, 0x7F}},
    };
    for (const auto& [delta, encoded] : cases) {
        MidiFile file;
        file.tracks.emplace_back().add_payload_event(delta, status::meta, meta::end_of_track, {});
        const Bytes bytes = write_midi(file);
        const Bytes expected = [&] {
            Bytes b = encoded;
            b.insert(b.end(), {0xFF, 0x2F, 0x00});
            return b;
        }();
        EXPECT_EQ(Bytes(bytes.begin() + 22, bytes.end()), expected) << "delta " << delta;
        EXPECT_EQ(read_midi(bytes, "delta.mid").tracks[0].events[0].tick, delta);
    }
}

TEST(MidiWriter, RefusesWhatTheFormatCannotHold) {
    MidiFile backwards;
    backwards.tracks.emplace_back().add_channel_event(10, 0x90, 60, 64);
    backwards.tracks[0].add_channel_event(5, 0x80, 60, 64);
    EXPECT_THROW(write_midi(backwards), std::invalid_argument);

    MidiFile long_gap;
    long_gap.tracks.emplace_back().add_channel_event(0x10000000, 0x90, 60, 64);
    EXPECT_THROW(write_midi(long_gap), std::invalid_argument);

    MidiFile system_message;
    system_message.tracks.emplace_back().add_channel_event(0, 0xF2, 0);
    EXPECT_THROW(write_midi(system_message), std::invalid_argument);
}

TEST(MidiWriter, WritesFilesThatReadBack) {
    const std::filesystem::path path =
        std::filesystem::path(testing::TempDir()) / ("pianola_writer_test." + std::to_string(::getpid()) + ".mid");
    const MidiFile original = every_kind_of_event();
    write_midi_file(path, original);
    EXPECT_EQ(read_file(path), write_midi(original));
    const MidiFile read_back = read_midi_file(path);
    std::filesystem::remove(path);
    expect_same_events(original.tracks[0], read_back.tracks[0]);
}

}  // namespace
}  // namespace pianola::midi
