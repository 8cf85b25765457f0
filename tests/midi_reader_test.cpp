// Tests for MidiReader (and the gunzip it relies on) on byte images built here by hand, so each
// case shows exactly which bytes it feeds: what it reads, what it reads with a warning (the odd
// files midicsv reads) and what it refuses. Round trips through the writer live in
// midi_writer_test.cpp; whole-corpus checks are not unit tests and are not here.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include "io/FileError.h"
#include "io/Gzip.h"
#include "midi/MidiReader.h"

namespace pianola::midi {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes end_of_track = {0x00, 0xFF, 0x2F, 0x00};

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

Bytes big_endian_32(std::uint32_t v) {
    return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

Bytes little_endian_32(std::uint32_t v) {
    return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}

// A chunk whose length field says `length`, whatever the body holds.
Bytes chunk_claiming(const char* tag, std::uint32_t length, const Bytes& body) {
    return join({Bytes(tag, tag + 4), big_endian_32(length), body});
}

Bytes chunk(const char* tag, const Bytes& body) {
    return chunk_claiming(tag, static_cast<std::uint32_t>(body.size()), body);
}

// An RMID file whose data chunk claims `data_length` bytes and holds `smf`.
Bytes riff_midi(const Bytes& smf, std::uint32_t data_length) {
    const Bytes body = join({Bytes{'R', 'M', 'I', 'D', 'd', 'a', 't', 'a'}, little_endian_32(data_length), smf});
    return join({Bytes{'R', 'I', 'F', 'F'}, little_endian_32(static_cast<std::uint32_t>(body.size())), body});
}

// 14 bytes, so the first chunk starts at offset 14 and its body at 22.
Bytes header(std::uint16_t format, std::uint16_t tracks, std::uint16_t division) {
    return chunk("MThd", {0, std::uint8_t(format), std::uint8_t(tracks >> 8), std::uint8_t(tracks),
                          std::uint8_t(division >> 8), std::uint8_t(division)});
}

Bytes one_track_file(const Bytes& body) { return join({header(0, 1, 96), chunk("MTrk", body)}); }

// Expects read_midi to throw FileError whose reason contains `reason` and whose offset is `offset`.
void expect_error(const Bytes& bytes, const std::string& reason, std::uint64_t offset) {
    try {
        read_midi(bytes, "case.mid");
        ADD_FAILURE() << "parsed, expected: " << reason;
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), "case.mid");
        EXPECT_NE(e.reason().find(reason), std::string::npos) << "reason: " << e.reason();
        ASSERT_TRUE(e.offset().has_value()) << e.what();
        EXPECT_EQ(*e.offset(), offset) << e.what();
    }
}

// Expects the file's warnings to be exactly `expected`: (text, offset) pairs in offset order.
void expect_warnings(const MidiFile& file, const std::vector<std::pair<std::string, std::uint64_t>>& expected) {
    ASSERT_EQ(file.warnings.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(file.warnings[i].message, expected[i].first);
        EXPECT_EQ(file.warnings[i].offset, expected[i].second) << expected[i].first;
    }
}

// A file using most of the syntax: two tracks, running status (also across meta and SysEx),
// multi-byte delta times, SysEx and escape packets, and one-data-byte messages.
Bytes varied_file() {
    return join({header(1, 2, 480),
                 chunk("MTrk", join({{0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20},
                                     {0x00, 0xFF, 0x58, 0x04, 0x04, 0x02, 0x18, 0x08},
                                     {0x00, 0xFF, 0x03, 0x05, 'P', 'i', 'a', 'n', 'o'},
                                     {0x83, 0x60, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40}, end_of_track})),
                 chunk("MTrk", join({{0x00, 0xC0, 0x00, 0x00, 0xB0, 0x07, 0x64, 0x00, 0x0A, 0x40},
                                     {0x00, 0x90, 0x3C, 0x50, 0x81, 0x70, 0x3C, 0x00},
                                     {0x00, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7, 0x00, 0x40, 0x60},
                                     {0x00, 0xF7, 0x02, 0x43, 0x12, 0x00, 0xE0, 0x00, 0x40},
                                     {0x00, 0xD0, 0x30, 0x82, 0x80, 0x00, 0x80, 0x40, 0x00}, end_of_track}))});
}

TEST(MidiReader, ReadsHeaderAndEvents) {
    const MidiFile file = read_midi(varied_file(), "varied.mid");
    EXPECT_EQ(file.format, 1);
    EXPECT_EQ(file.division, 480);
    ASSERT_EQ(file.tracks.size(), 2u);

    const Track& meta_track = file.tracks[0];
    ASSERT_EQ(meta_track.events.size(), 5u);
    EXPECT_TRUE(meta_track.events[0].is_meta(meta::tempo));
    EXPECT_EQ(meta_track.payload_of(meta_track.events[0]).size(), 3u);
    const Event& name = meta_track.events[2];
    EXPECT_TRUE(name.is_meta(meta::track_name));
    const auto name_bytes = meta_track.payload_of(name);
    EXPECT_EQ(std::string(name_bytes.begin(), name_bytes.end()), "Piano");
    EXPECT_EQ(meta_track.events[3].tick, 480u);  // 0x83 0x60
    EXPECT_TRUE(meta_track.events[4].is_meta(meta::end_of_track));

    const Track& notes = file.tracks[1];
    ASSERT_EQ(notes.events.size(), 12u);
    EXPECT_EQ(notes.events[0].status, 0xC0);
    EXPECT_EQ(notes.events[0].d1, 0);
    EXPECT_EQ(notes.events[2].status, 0xB0);  // running status
    EXPECT_EQ(notes.events[2].d1, 0x0A);
    EXPECT_EQ(notes.events[2].d2, 0x40);
    EXPECT_TRUE(notes.events[3].is_note_on());
    EXPECT_EQ(notes.events[4].tick, 240u);  // 0x81 0x70
    EXPECT_TRUE(notes.events[4].is_note_off());
    const Event& sysex = notes.events[5];
    EXPECT_EQ(sysex.status, status::sysex);
    EXPECT_EQ(Bytes(notes.payload_of(sysex).begin(), notes.payload_of(sysex).end()),
              (Bytes{0x7E, 0x7F, 0x09, 0x01, 0xF7}));
    EXPECT_EQ(notes.events[6].status, 0x90);  // running status across SysEx, as midicsv reads it
    EXPECT_EQ(notes.events[6].d1, 0x40);
    EXPECT_EQ(notes.events[7].status, status::sysex_escape);
    EXPECT_EQ(notes.payload_of(notes.events[7]).size(), 2u);
    EXPECT_EQ(notes.events[8].kind(), status::pitch_bend);
    EXPECT_EQ(notes.events[8].d2, 0x40);
    EXPECT_EQ(notes.events[9].kind(), status::channel_pressure);
    EXPECT_EQ(notes.events[9].d1, 0x30);
    EXPECT_EQ(notes.events[10].tick, 240u + 32768u);  // 0x82 0x80 0x00
    EXPECT_EQ(notes.events[10].kind(), status::note_off);
}

TEST(MidiReader, RunningStatusRepeatsTheLastChannelStatus) {
    const MidiFile file = read_midi(
        one_track_file(join({{0x00, 0x91, 0x3C, 0x40, 0x10, 0x3E, 0x41, 0x10, 0x3C, 0x00}, end_of_track})), "rs.mid");
    const auto& events = file.tracks[0].events;
    ASSERT_EQ(events.size(), 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(events[i].status, 0x91);
        EXPECT_EQ(events[i].channel(), 1);
        EXPECT_EQ(events[i].tick, 16u * i);
    }
    EXPECT_EQ(events[1].d1, 0x3E);
    EXPECT_EQ(events[1].d2, 0x41);
    EXPECT_TRUE(events[2].is_note_off());  // note-on with velocity 0
    EXPECT_FALSE(events[2].is_note_on());
}

TEST(MidiReader, RunningStatusSurvivesMetaEventsAsInMidicsv) {
    const MidiFile file = read_midi(
        one_track_file(join({{0x00, 0xC2, 0x05, 0x00, 0xFF, 0x01, 0x02, 'h', 'i', 0x00, 0x06}, end_of_track})), "rs.mid");
    const auto& events = file.tracks[0].events;
    ASSERT_EQ(events.size(), 4u);
    EXPECT_EQ(events[2].status, 0xC2);
    EXPECT_EQ(events[2].d1, 0x06);
}

TEST(MidiReader, DataBytesWithBitSevenAreTakenAsTheyComeAsInMidicsv) {
    const MidiFile file = read_midi(one_track_file(join({{0x00, 0x90, 0x3C, 0xC0}, end_of_track})), "hi.mid");
    EXPECT_EQ(file.tracks[0].events[0].d2, 0xC0);
}

TEST(MidiReader, ReadsFormatZeroAndFormatTwo) {
    const MidiFile zero = read_midi(one_track_file(join({{0x00, 0x90, 0x3C, 0x40}, end_of_track})), "f0.mid");
    EXPECT_EQ(zero.format, 0);
    EXPECT_EQ(zero.tracks.size(), 1u);

    const Bytes sequence = chunk("MTrk", join({{0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40}, end_of_track}));
    const MidiFile two = read_midi(join({header(2, 3, 96), sequence, sequence, sequence}), "f2.mid");
    EXPECT_EQ(two.format, 2);
    ASSERT_EQ(two.tracks.size(), 3u);
    EXPECT_EQ(two.tracks[2].events[1].tick, 0x60u);  // each sequence counts its own ticks
}

TEST(MidiReader, SkipsUnknownChunksAndExtraHeaderBytes) {
    const Bytes track = chunk("MTrk", join({{0x00, 0x90, 0x3C, 0x40}, end_of_track}));
    const Bytes long_header = chunk("MThd", {0, 1, 0, 2, 0, 96, 0xAA, 0xBB});
    const MidiFile file = read_midi(join({long_header, chunk("XFIH", {1, 2, 3}), track, chunk("XFKM", {}), track}), "x.mid");
    EXPECT_EQ(file.division, 96);
    ASSERT_EQ(file.tracks.size(), 2u);
    EXPECT_EQ(file.tracks[1].events[0].d1, 0x3C);
}

TEST(MidiReader, IgnoresEventsAfterEndOfTrackAndBytesAfterTheLastTrack) {
    const Bytes bytes = join({one_track_file(join({{0x00, 0x90, 0x3C, 0x40}, end_of_track, {0x00, 0x90, 0x3E, 0x40}})),
                              {0x00, 0x00, 0x00}});
    const MidiFile file = read_midi(bytes, "eot.mid");
    ASSERT_EQ(file.tracks[0].events.size(), 2u);
    EXPECT_TRUE(file.tracks[0].events.back().is_meta(meta::end_of_track));
}

TEST(MidiReader, UnwrapsRiffMidi) {
    const Bytes smf = one_track_file(join({{0x00, 0x90, 0x3C, 0x40}, end_of_track}));
    // An odd-length chunk before "data" checks the RIFF padding byte is skipped.
    const Bytes info = join({Bytes{'I', 'N', 'F', 'O'}, little_endian_32(3), {'a', 'b', 'c', 0}});
    const Bytes body = join({Bytes{'R', 'M', 'I', 'D'}, info, Bytes{'d', 'a', 't', 'a'},
                             little_endian_32(static_cast<std::uint32_t>(smf.size())), smf});
    const Bytes riff = join({Bytes{'R', 'I', 'F', 'F'}, little_endian_32(static_cast<std::uint32_t>(body.size())), body});
    const MidiFile file = read_midi(riff, "x.rmi");
    ASSERT_EQ(file.tracks.size(), 1u);
    EXPECT_EQ(file.tracks[0].events[0].d1, 0x3C);

    // Offsets count from the start of the RIFF file: the SMF begins at 12 + 12 + 8 = 32.
    Bytes broken = riff;
    broken[32] = 'X';
    expect_error(broken, "missing MThd header", 32);
    expect_error(join({Bytes{'R', 'I', 'F', 'F'}, little_endian_32(12), {'R', 'M', 'I', 'D'}, info}), "no data chunk", 24);
    expect_error(join({Bytes{'R', 'I', 'F', 'F'}, little_endian_32(4), {'W', 'A', 'V', 'E'}}), "not a MIDI file", 0);
}

// Where midicsv reads a file the standard would reject, pianola reads it too and says so once:
// one warning per kind of oddity, at its first place, counting the rest.
const Bytes two_notes = {0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40};

TEST(MidiReader, ReadsATrackWithoutEndOfTrackWithAWarning) {
    const MidiFile file = read_midi(one_track_file(two_notes), "no_eot.mid");
    ASSERT_EQ(file.tracks[0].events.size(), 2u);
    EXPECT_TRUE(file.tracks[0].events[1].is_note_off());
    expect_warnings(file, {{"track 1 has no end-of-track event", 30}});

    const MidiFile empty = read_midi(one_track_file({}), "empty.mid");
    EXPECT_TRUE(empty.tracks[0].events.empty());
    expect_warnings(empty, {{"track 1 has no end-of-track event", 22}});

    const MidiFile both =
        read_midi(join({header(1, 2, 96), chunk("MTrk", two_notes), chunk("MTrk", two_notes)}), "both.mid");
    ASSERT_EQ(both.tracks.size(), 2u);
    EXPECT_EQ(both.tracks[1].events.size(), 2u);
    expect_warnings(both, {{"track 1 has no end-of-track event (and 1 more)", 30}});
}

TEST(MidiReader, ReadsALastTrackCutShortWithAWarning) {
    // The chunk claims 100 bytes; the file holds 12 (two notes and end-of-track) or 8 (two notes).
    const Bytes whole_bytes = join({header(0, 1, 96), chunk_claiming("MTrk", 100, join({two_notes, end_of_track}))});
    const MidiFile whole = read_midi(whole_bytes, "a.mid");
    ASSERT_EQ(whole.tracks[0].events.size(), 3u);
    EXPECT_TRUE(whole.tracks[0].events[2].is_meta(meta::end_of_track));
    expect_warnings(whole, {{"track 1 length 100 runs past the end of the file, which holds 12 of its bytes", 18}});

    // Cut between two events: what is there is read, and the missing end-of-track is no second warning.
    const MidiFile cut = read_midi(join({header(0, 1, 96), chunk_claiming("MTrk", 100, two_notes)}), "b.mid");
    EXPECT_EQ(cut.tracks[0].events.size(), 2u);
    expect_warnings(cut, {{"track 1 length 100 runs past the end of the file, which holds 8 of its bytes", 18}});

    // Cut inside an event, or before a track the header announces: the file is truncated.
    expect_error(join({header(0, 1, 96), chunk_claiming("MTrk", 100, join({two_notes, {0x00, 0x90, 0x3E}}))}),
                 "the file ends in the middle of an event", 31);
    expect_error(join({header(1, 2, 96), chunk_claiming("MTrk", 100, join({two_notes, end_of_track}))}),
                 "the header announces 2 tracks but the file holds 1", 34);
}

TEST(MidiReader, DoesNotGuessPastATrackLengthThatIsTooShort) {
    // Cut by its own chunk inside an event: an error, as in any other chunk.
    expect_error(join({header(0, 1, 96), chunk_claiming("MTrk", 6, join({two_notes, end_of_track}))}),
                 "event runs past the end of the track chunk", 27);
    // Cut between two events: the rest of the track is read as the next chunk, here a chunk of
    // another type whose length runs past the end of the file.
    const Bytes too_short = chunk_claiming("MTrk", 4, join({two_notes, end_of_track}));
    expect_error(join({header(1, 2, 96), too_short, chunk("MTrk", end_of_track)}),
                 "chunk length 16723712 runs past the end of the file", 30);
}

TEST(MidiReader, ReadsLongVariableLengthQuantitiesWithAWarning) {
    // A 5-byte delta of 2^28 - 1 before a note-on, a 6-byte one of 0 before its note-off.
    const Bytes track = {0x80, 0xFF, 0xFF, 0xFF, 0x7F, 0x90, 0x3C, 0x40,
                         0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x80, 0x3C, 0x40};
    const MidiFile file = read_midi(one_track_file(join({track, end_of_track})), "vlq.mid");
    ASSERT_EQ(file.tracks[0].events.size(), 3u);
    EXPECT_EQ(file.tracks[0].events[0].tick, (1u << 28) - 1);
    EXPECT_EQ(file.tracks[0].events[1].tick, (1u << 28) - 1);
    expect_warnings(file, {{"variable-length quantity of 5 bytes, over the standard's 4 (and 1 more)", 22}});
}

TEST(MidiReader, ReadsOneByteSystemMessagesWithAWarning) {
    // A timing clock between two notes of one running status, and an active-sensing byte.
    const Bytes track = {0x00, 0x90, 0x3C, 0x40, 0x00, 0xF8, 0x00, 0x3E, 0x40, 0x10, 0xFE};
    const MidiFile file = read_midi(one_track_file(join({track, end_of_track})), "rt.mid");
    const auto& events = file.tracks[0].events;
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[1].status, 0xF8);
    EXPECT_FALSE(events[1].is_channel());
    EXPECT_EQ(events[2].status, 0x90);  // running status survives it, as in midicsv
    EXPECT_EQ(events[2].d1, 0x3E);
    EXPECT_EQ(events[3].status, 0xFE);
    EXPECT_EQ(events[3].tick, 16u);
    expect_warnings(file, {{"system message 0xF8 in a track, read as a one-byte event (and 1 more)", 27}});
}

TEST(MidiReader, ReadsAnUnknownFormatAndAHeaderWithoutTracksWithAWarning) {
    const Bytes track = chunk("MTrk", join({two_notes, end_of_track}));
    const MidiFile format3 = read_midi(join({header(3, 1, 96), track}), "f3.mid");
    EXPECT_EQ(format3.format, 3);
    EXPECT_EQ(format3.tracks.size(), 1u);
    expect_warnings(format3, {{"unknown MIDI file format 3, read as format 1", 8}});

    // Like midicsv, only the announced tracks are read: none, whatever follows.
    for (const Bytes& bytes : {header(0, 0, 96), join({header(0, 0, 96), track})}) {
        const MidiFile none = read_midi(bytes, "none.mid");
        EXPECT_TRUE(none.tracks.empty());
        expect_warnings(none, {{"the header announces no tracks", 10}});
    }
}

TEST(MidiReader, ReadsARiffDataChunkCutShortWithAWarning) {
    // The data chunk's length field is at byte 16 and the SMF starts at 20.
    const Bytes smf = one_track_file(join({two_notes, end_of_track}));
    const MidiFile file = read_midi(riff_midi(smf, static_cast<std::uint32_t>(smf.size()) + 10), "long.rmi");
    EXPECT_EQ(file.tracks[0].events.size(), 3u);
    expect_warnings(file,
                    {{"RIFF data chunk length 44 runs past the end of the file, which holds 34 of its bytes", 16}});

    // A RIFF file cut short between two events: both the data chunk and the track say so.
    const Bytes cut(smf.begin(), smf.end() - 4);
    const MidiFile from_cut = read_midi(riff_midi(cut, static_cast<std::uint32_t>(smf.size())), "cut.rmi");
    EXPECT_EQ(from_cut.tracks[0].events.size(), 2u);
    expect_warnings(from_cut,
                    {{"RIFF data chunk length 34 runs past the end of the file, which holds 30 of its bytes", 16},
                     {"track 1 length 12 runs past the end of the file, which holds 8 of its bytes", 38}});
}

TEST(MidiReader, ErrorsCarryTheOffsetOfTheProblem) {
    const Bytes good_track = join({{0x00, 0x90, 0x3C, 0x40}, end_of_track});
    expect_error({}, "not a MIDI file: missing MThd header", 0);
    expect_error({'M', 'T', 'r', 'k', 0, 0, 0, 6}, "not a MIDI file: missing MThd header", 0);
    expect_error({'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1}, "truncated MThd header", 10);
    expect_error(chunk("MThd", {0, 0, 0, 1}), "shorter than 6", 4);
    expect_error(join({header(0, 1, 96), {'M', 'T', 'r'}}), "truncated chunk header", 14);
    expect_error(join({header(0, 1, 96), big_endian_32(0)}), "truncated chunk header", 14);

    // The last byte of end-of-track is missing: the file ends inside an event (its length quantity).
    Bytes truncated = one_track_file(good_track);
    truncated.pop_back();
    expect_error(truncated, "the file ends in the middle of an event", 29);
    expect_error(join({header(0, 1, 96), chunk("XXXX", {}), Bytes{'A', 'B', 'C', 'D', 0, 0, 1, 0}}),
                 "chunk length 256 runs past the end of the file", 26);

    expect_error(one_track_file(join({{0x81, 0x80, 0x80, 0x80, 0x00, 0x90, 0x3C, 0x40}, end_of_track})),
                 "variable-length quantity passes 2^28 - 1", 22);
    expect_error(one_track_file(join({{0x00, 0x3C, 0x40}, end_of_track})), "running status with no previous status byte", 23);
    // Running status does not carry from one track to the next.
    expect_error(join({header(1, 2, 96), chunk("MTrk", good_track), chunk("MTrk", join({{0x00, 0x3C, 0x40}, end_of_track}))}),
                 "running status with no previous status byte", 39);
    expect_error(one_track_file({0x00, 0x90, 0x3C}), "event runs past the end of the track chunk", 23);
    expect_error(one_track_file({0x00, 0xFF, 0x01, 0x05, 'a', 'b'}), "event runs past the end of the track chunk", 23);
    expect_error(one_track_file({0x00, 0xF0, 0x81}), "event runs past the end of the track chunk", 24);
    expect_error(one_track_file(join({{0x00, 0xF2, 0x01, 0x02}, end_of_track})), "system message byte 0xF2", 23);
    // 16 of the largest delta times reach 2^32 - 16; one more small delta passes 2^32 - 1.
    Bytes long_track;
    for (int i = 0; i < 16; ++i) long_track.insert(long_track.end(), {0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00});
    long_track.insert(long_track.end(), {0x7F, 0xFF, 0x01, 0x00});
    expect_error(one_track_file(join({long_track, end_of_track})), "absolute tick passes 2^32 - 1", 22 + 16 * 7);
    expect_error(join({header(0, 1, 0), chunk("MTrk", good_track)}), "division is 0", 12);
    expect_error(join({header(0, 1, 0xE700), chunk("MTrk", good_track)}), "0 ticks per frame", 12);
    expect_error(join({header(0, 1, 0xE928), chunk("MTrk", good_track)}), "unknown frame rate 23", 12);
    expect_error(join({header(0, 1, 96), chunk("XFIH", {})}), "no tracks: the header announces 1", 22);
    expect_error(join({header(1, 2, 96), chunk("MTrk", good_track)}), "the header announces 2 tracks but the file holds 1", 30);
}

// Reads never leave the input (sanitizers check that); every input either parses to a consistent
// MidiFile or throws FileError with an offset inside it. A track may lack its end-of-track only in
// a file that says so in a warning. Returns the file when it parsed.
std::optional<MidiFile> parse_or_file_error(const Bytes& bytes) {
    try {
        MidiFile file = read_midi(bytes, "fuzz.mid");
        for (const Track& track : file.tracks) {
            std::uint32_t tick = 0;
            for (const Event& e : track.events) {
                EXPECT_GE(e.tick, tick);
                tick = e.tick;
                EXPECT_LE(std::uint64_t{e.payload_offset} + e.payload_size, track.payload.size());
            }
            const bool ended = !track.events.empty() && track.events.back().is_meta(meta::end_of_track);
            EXPECT_TRUE(ended || !file.warnings.empty());
        }
        for (const ReadWarning& w : file.warnings) EXPECT_LE(w.offset, bytes.size()) << w.text();
        return file;
    } catch (const FileError& e) {
        EXPECT_TRUE(e.offset().has_value()) << e.what();
        EXPECT_LE(e.offset().value_or(0), bytes.size()) << e.what();
        return std::nullopt;
    }
}

TEST(MidiReader, SurvivesEveryTruncationAndRandomBitFlips) {
    // A cut file is an error, or, where the cut falls between two events of the last track, that
    // track read up to the cut with a warning; never a silent success.
    const Bytes valid = varied_file();
    int cuts_read = 0;
    for (std::size_t size = 0; size < valid.size(); ++size) {
        const auto file = parse_or_file_error(Bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(size)));
        if (!file) continue;
        ++cuts_read;
        EXPECT_FALSE(file->warnings.empty()) << size;
    }
    EXPECT_GT(cuts_read, 0);
    EXPECT_LT(cuts_read, static_cast<int>(valid.size()) / 2);

    std::mt19937 rng(20240611);
    std::uniform_int_distribution<std::size_t> position(0, valid.size() * 8 - 1);
    std::uniform_int_distribution<int> flip_count(1, 8);
    int parsed = 0;
    for (int round = 0; round < 5000; ++round) {
        Bytes mutated = valid;
        for (int flips = flip_count(rng); flips > 0; --flips) {
            const std::size_t bit = position(rng);
            mutated[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        }
        if (parse_or_file_error(mutated)) ++parsed;
    }
    // Both outcomes must be exercised for the test to mean anything.
    EXPECT_GT(parsed, 0);
    EXPECT_LT(parsed, 5000);
}

// A file under the test temporary folder that is removed when the test ends.
class TemporaryFile {
public:
    explicit TemporaryFile(const std::string& stem)
        : path_(std::filesystem::path(testing::TempDir()) / (stem + "." + std::to_string(::getpid()))) {}
    ~TemporaryFile() { std::filesystem::remove(path_); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

Bytes gzip_bytes(const Bytes& plain) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    Bytes out(deflateBound(&z, static_cast<uLong>(plain.size())));
    z.next_in = const_cast<Bytef*>(plain.data());
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

TEST(MidiReader, ReadsGzipCompressedFiles) {
    const Bytes plain = varied_file();
    TemporaryFile file("pianola_gzip_test.mid.gz");
    gzFile gz = gzopen(file.path().c_str(), "wb");
    ASSERT_NE(gz, nullptr);
    ASSERT_EQ(gzwrite(gz, plain.data(), static_cast<unsigned>(plain.size())), static_cast<int>(plain.size()));
    ASSERT_EQ(gzclose(gz), Z_OK);

    const MidiFile from_gzip = read_midi_file(file.path());
    const MidiFile from_plain = read_midi(plain, "plain.mid");
    ASSERT_EQ(from_gzip.tracks.size(), from_plain.tracks.size());
    for (std::size_t t = 0; t < from_plain.tracks.size(); ++t) {
        EXPECT_EQ(from_gzip.tracks[t].events.size(), from_plain.tracks[t].events.size());
        EXPECT_EQ(from_gzip.tracks[t].payload, from_plain.tracks[t].payload);
    }
}

TEST(MidiReader, ReadMidiFileNamesThePathInErrors) {
    TemporaryFile file("pianola_not_midi.mid");
    std::FILE* f = std::fopen(file.path().c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("hello", f);
    std::fclose(f);
    try {
        read_midi_file(file.path());
        ADD_FAILURE() << "parsed a text file";
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), file.path().string());
    }
}

TEST(Gzip, InflatesConcatenatedMembersAndIgnoresTrailingPadding) {
    const Bytes a = {'a', 'b', 'c'}, b = {'d', 'e'};
    EXPECT_EQ(gunzip(join({gzip_bytes(a), gzip_bytes(b), {0, 0, 0}}), "x.gz"), join({a, b}));
    EXPECT_TRUE(gunzip(gzip_bytes({}), "x.gz").empty());
}

TEST(Gzip, RejectsCorruptAndTruncatedData) {
    const Bytes packed = gzip_bytes(varied_file());
    Bytes corrupt = packed;
    corrupt[12] ^= 0xFF;
    corrupt[13] ^= 0xFF;
    EXPECT_THROW(gunzip(corrupt, "x.gz"), FileError);
    try {
        gunzip(Bytes(packed.begin(), packed.end() - 4), "x.gz");
        ADD_FAILURE() << "inflated truncated data";
    } catch (const FileError& e) {
        EXPECT_NE(e.reason().find("truncated gzip data"), std::string::npos) << e.what();
        EXPECT_TRUE(e.offset().has_value());
    }
    // Through read_midi too, with the offset in the compressed bytes.
    expect_error(Bytes(packed.begin(), packed.begin() + 20), "truncated gzip data", 20);
}

TEST(Gzip, StopsAZipBombAtTheCap) {
    // Concatenated members of 1 MiB of zeros each: cheap to build, and as hostile as one member.
    const Bytes mebibyte_member = gzip_bytes(Bytes(std::size_t{1} << 20, 0));
    Bytes at_cap, over_cap;
    for (std::size_t i = 0; i < gunzip_max_output >> 20; ++i) at_cap.insert(at_cap.end(), mebibyte_member.begin(), mebibyte_member.end());
    over_cap = join({at_cap, gzip_bytes({0})});
    EXPECT_LT(over_cap.size(), 200u * 1024);

    EXPECT_EQ(gunzip(at_cap, "cap.gz").size(), gunzip_max_output);
    try {
        gunzip(over_cap, "bomb.gz");
        ADD_FAILURE() << "inflated past the cap";
    } catch (const FileError& e) {
        EXPECT_NE(e.reason().find("more than 64 MiB"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace pianola::midi
