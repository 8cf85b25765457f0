// Tests for midi_csv: the exact text of every record type and of the odd files the reader reads
// with a warning, on byte images built here (the expected lines are what midicsv 1.1 printed for
// the same bytes), and, where Debian's midicsv is installed, byte-for-byte agreement with it on
// every real MIDI file at hand: the shared corpora and the MIDI files the mma, pianobooster and
// solfege packages ship. Those skip when absent.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "TestFiles.h"
#include "io/AtomicFile.h"
#include "io/Gzip.h"
#include "midi/MidiCsv.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "music/Corpus.h"

namespace pianola::midi {
namespace {

using Bytes = std::vector<std::uint8_t>;

const char* const midicsv_tool = "/usr/bin/midicsv";

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

// A chunk whose length field says `n`, whatever the body holds.
Bytes chunk_claiming(const char* tag, std::uint32_t n, const Bytes& body) {
    return join({Bytes(tag, tag + 4), {std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8), std::uint8_t(n)}, body});
}

Bytes chunk(const char* tag, const Bytes& body) {
    return chunk_claiming(tag, static_cast<std::uint32_t>(body.size()), body);
}

Bytes header(std::uint16_t format, std::uint16_t tracks, std::uint16_t division) {
    return chunk("MThd", {0, std::uint8_t(format), std::uint8_t(tracks >> 8), std::uint8_t(tracks),
                          std::uint8_t(division >> 8), std::uint8_t(division)});
}

std::string csv_of(const Bytes& bytes) { return midi_csv(read_midi(bytes, "case.mid")); }

// What midicsv prints for `bytes`, or "" when it is not installed.
std::string midicsv_of(const Bytes& bytes, const fixtures::TempDir& dir) {
    const std::filesystem::path path = dir / "input.mid";  // a path with no characters the shell treats specially
    write_file_atomically(path, bytes);
    FILE* pipe = popen((std::string(midicsv_tool) + " " + path.string() + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return "";
    std::string text;
    std::array<char, 65536> buffer;
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) text.append(buffer.data(), n);
    pclose(pipe);
    return text;
}

// The expected text is checked against midicsv's reading of `reference` too, where it is installed.
void expect_csv_as_midicsv_reads(const Bytes& bytes, const Bytes& reference, const std::string& expected) {
    EXPECT_EQ(csv_of(bytes), expected);
    if (!std::filesystem::exists(midicsv_tool)) return;
    fixtures::TempDir dir;
    EXPECT_EQ(midicsv_of(reference, dir), expected);
}

void expect_csv(const Bytes& bytes, const std::string& expected) {
    expect_csv_as_midicsv_reads(bytes, bytes, expected);
}

TEST(MidiCsv, PrintsEveryRecordTypeAsMidicsvDoes) {
    const Bytes bytes = join(
        {header(1, 2, 480),
         chunk("MTrk", {0x00, 0xFF, 0x00, 0x02, 0x01, 0x02,  0x00, 0xFF, 0x03, 0x05, 'P', 'i', 'a', 'n', 'o',
                        0x00, 0xFF, 0x02, 0x03, 'a', '"', '\\', 0x00, 0xFF, 0x04, 0x01, 'x', 0x00, 0xFF, 0x05, 0x01, 'y',
                        0x00, 0xFF, 0x06, 0x01, 'z', 0x00, 0xFF, 0x07, 0x00, 0x00, 0xFF, 0x01, 0x01, ',',
                        0x00, 0xFF, 0x20, 0x01, 0x05, 0x00, 0xFF, 0x21, 0x01, 0x02,
                        0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x00, 0xFF, 0x54, 0x05, 0x60, 0x01, 0x02, 0x03, 0x04,
                        0x00, 0xFF, 0x58, 0x04, 0x06, 0x03, 0x24, 0x08, 0x00, 0xFF, 0x59, 0x02, 0xFD, 0x01,
                        0x00, 0xFF, 0x59, 0x02, 0x02, 0x00, 0x00, 0xFF, 0x7F, 0x03, 0x00, 0x00, 0x41,
                        0x00, 0xFF, 0x60, 0x02, 0x09, 0x08, 0x83, 0x60, 0xFF, 0x2F, 0x00}),
         chunk("MTrk", {0x00, 0xF0, 0x03, 0x7E, 0x09, 0xF7, 0x00, 0xF7, 0x02, 0x43, 0x12,
                        0x00, 0x91, 0x3C, 0x40, 0x10, 0x3C, 0x00, 0x00, 0x81, 0x3E, 0x20, 0x00, 0xA2, 0x3C, 0x05,
                        0x00, 0xB3, 0x07, 0x64, 0x00, 0xC4, 0x05, 0x00, 0xD5, 0x06, 0x00, 0xE6, 0x01, 0x40,
                        0x00, 0xEF, 0xFF, 0xFF, 0x00, 0x9F, 0x3C, 0xC0, 0x00, 0xFF, 0x2F, 0x00})});
    const std::string expected =
        "0, 0, Header, 1, 2, 480\n"
        "1, 0, Start_track\n"
        "1, 0, Sequence_number, 258\n"
        "1, 0, Title_t, \"Piano\"\n"
        "1, 0, Copyright_t, \"a\"\"\\\\\"\n"
        "1, 0, Instrument_name_t, \"x\"\n"
        "1, 0, Lyric_t, \"y\"\n"
        "1, 0, Marker_t, \"z\"\n"
        "1, 0, Cue_point_t, \"\"\n"
        "1, 0, Text_t, \",\"\n"
        "1, 0, Channel_prefix, 5\n"
        "1, 0, MIDI_port, 2\n"
        "1, 0, Tempo, 500000\n"
        "1, 0, SMPTE_offset, 96, 1, 2, 3, 4\n"
        "1, 0, Time_signature, 6, 3, 36, 8\n"
        "1, 0, Key_signature, -3, \"minor\"\n"
        "1, 0, Key_signature, 2, \"major\"\n"
        "1, 0, Sequencer_specific, 3, 0, 0, 65\n"
        "1, 0, Unknown_meta_event, 96, 2, 9, 8\n"
        "1, 480, End_track\n"
        "2, 0, Start_track\n"
        "2, 0, System_exclusive, 3, 126, 9, 247\n"
        "2, 0, System_exclusive_packet, 2, 67, 18\n"
        "2, 0, Note_on_c, 1, 60, 64\n"
        "2, 16, Note_on_c, 1, 60, 0\n"
        "2, 16, Note_off_c, 1, 62, 32\n"
        "2, 16, Poly_aftertouch_c, 2, 60, 5\n"
        "2, 16, Control_c, 3, 7, 100\n"
        "2, 16, Program_c, 4, 5\n"
        "2, 16, Channel_aftertouch_c, 5, 6\n"
        "2, 16, Pitch_bend_c, 6, 8193\n"
        // Data bytes with bit 7 set print as read: a pitch bend of FF FF is 255 << 7 | 255.
        "2, 16, Pitch_bend_c, 15, 32767\n"
        "2, 16, Note_on_c, 15, 60, 192\n"
        "2, 16, End_track\n"
        "0, 0, End_of_file\n";
    expect_csv(bytes, expected);
}

TEST(MidiCsv, EscapesTextAsMidicsvDoes) {
    Bytes every_byte(256);
    for (int i = 0; i < 256; ++i) every_byte[i] = static_cast<std::uint8_t>(i);
    const Bytes track = join({{0x00, 0xFF, 0x01, 0x82, 0x00}, every_byte, {0x00, 0xFF, 0x2F, 0x00}});
    // Controls, DEL, the C1 controls and 0xA0 in octal; quotes doubled; backslashes doubled; the
    // rest of Latin-1 (0xA1 to 0xFF) as raw bytes.
    std::string text =
        "\\000\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015\\016\\017\\020\\021\\022\\023\\024"
        "\\025\\026\\027\\030\\031\\032\\033\\034\\035\\036\\037 !\"\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRS"
        "TUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\177\\200\\201\\202\\203\\204\\205\\206\\207\\210\\211\\212"
        "\\213\\214\\215\\216\\217\\220\\221\\222\\223\\224\\225\\226\\227\\230\\231\\232\\233\\234\\235\\236\\237\\240";
    for (int c = 0xA1; c <= 0xFF; ++c) text += static_cast<char>(c);
    const std::string expected = "0, 0, Header, 0, 1, 96\n1, 0, Start_track\n1, 0, Text_t, \"" + text +
                                 "\"\n1, 0, End_track\n0, 0, End_of_file\n";
    expect_csv(join({header(0, 1, 96), chunk("MTrk", track)}), expected);
}

TEST(MidiCsv, PrintsSmpteDivisionAsASignedWord) {
    // -25 frames a second, 40 ticks a frame: 0xE728, which midicsv prints as a signed 16-bit number.
    expect_csv(join({header(0, 1, 0xE728), chunk("MTrk", {0x00, 0xFF, 0x2F, 0x00})}),
               "0, 0, Header, 0, 1, -6360\n1, 0, Start_track\n1, 0, End_track\n0, 0, End_of_file\n");
}

TEST(MidiCsv, EndsATrackBuiltWithoutEndOfTrackWhereTheWriterWould) {
    MidiFile file;
    file.division = 96;
    file.tracks.resize(1);
    file.tracks[0].add_channel_event(0, 0x90, 60, 100);
    file.tracks[0].add_channel_event(96, 0x80, 60, 0);
    EXPECT_EQ(midi_csv(file), midi_csv(read_midi(write_midi(file), "rewritten.mid")));
    EXPECT_NE(midi_csv(file).find("1, 96, End_track\n"), std::string::npos);
}

// Odd files that midicsv reads, and pianola reads with a warning (see midi_reader_test.cpp).
const Bytes two_notes = {0x00, 0x90, 0x3C, 0x40, 0x60, 0x80, 0x3C, 0x40};
const Bytes end_of_track = {0x00, 0xFF, 0x2F, 0x00};
const std::string two_notes_csv = "1, 0, Note_on_c, 0, 60, 64\n1, 96, Note_off_c, 0, 60, 64\n1, 96, End_track\n";

TEST(MidiCsv, ReadsALastTrackCutShortAsMidicsvDoes) {
    expect_csv(join({header(0, 1, 96), chunk_claiming("MTrk", 100, join({two_notes, end_of_track}))}),
               "0, 0, Header, 0, 1, 96\n1, 0, Start_track\n" + two_notes_csv + "0, 0, End_of_file\n");
}

TEST(MidiCsv, ReadsAnUnknownFormatAndAHeaderWithoutTracksAsMidicsvDoes) {
    const Bytes track = chunk("MTrk", join({two_notes, end_of_track}));
    expect_csv(join({header(3, 1, 96), track}),
               "0, 0, Header, 3, 1, 96\n1, 0, Start_track\n" + two_notes_csv + "0, 0, End_of_file\n");
    expect_csv(join({header(1, 0, 96), track}), "0, 0, Header, 1, 0, 96\n0, 0, End_of_file\n");
}

TEST(MidiCsv, ReadsLongVariableLengthQuantitiesAsMidicsvDoes) {
    // A 5-byte delta of 2^28 - 1 before a note, a 6-byte one of 128 before end-of-track.
    const Bytes track = {0x80, 0xFF, 0xFF, 0xFF, 0x7F, 0x90, 0x3C, 0x40,
                         0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00, 0xFF, 0x2F, 0x00};
    expect_csv(join({header(0, 1, 96), chunk("MTrk", track)}),
               "0, 0, Header, 0, 1, 96\n1, 0, Start_track\n1, 268435455, Note_on_c, 0, 60, 64\n"
               "1, 268435583, End_track\n0, 0, End_of_file\n");
}

TEST(MidiCsv, PrintsOneByteSystemMessagesAsMidicsvDoes) {
    const Bytes track = {0x00, 0x90, 0x3C, 0x40, 0x00, 0xF8, 0x00, 0x3E, 0x40, 0x10, 0xFE, 0x00, 0xF6};
    expect_csv(join({header(0, 1, 96), chunk("MTrk", join({track, end_of_track}))}),
               "0, 0, Header, 0, 1, 96\n1, 0, Start_track\n1, 0, Note_on_c, 0, 60, 64\n1, 0, Unknown_event, F8x\n"
               "1, 0, Note_on_c, 0, 62, 64\n1, 16, Unknown_event, FEx\n1, 16, Unknown_event, F6x\n1, 16, End_track\n"
               "0, 0, End_of_file\n");
}

// Without an end-of-track midicsv reads past its track buffer (valgrind shows it), so what it
// prints next depends on memory it does not own; the reference is the same file made whole.
TEST(MidiCsv, EndsATrackWithoutEndOfTrackAsMidicsvReadsItWhole) {
    const Bytes whole =
        join({header(1, 2, 96), chunk("MTrk", join({two_notes, end_of_track})), chunk("MTrk", end_of_track)});
    const std::string csv = "0, 0, Header, 1, 2, 96\n1, 0, Start_track\n" + two_notes_csv +
                            "2, 0, Start_track\n2, 0, End_track\n0, 0, End_of_file\n";
    const Bytes no_end = join({header(1, 2, 96), chunk("MTrk", two_notes), chunk("MTrk", end_of_track)});
    expect_csv_as_midicsv_reads(no_end, whole, csv);
    // The last track cut short before its end-of-track, as a file cut there looks.
    const Bytes cut(whole.begin(), whole.end() - 4);
    expect_csv_as_midicsv_reads(cut, whole, csv);
}

// Every MIDI file under `dirs` (as the corpus loader finds them, gzipped ones inflated first):
// the CSV equals midicsv's, and stays the same after a write through pianola's writer.
void expect_midicsv_agrees_on(const std::vector<std::filesystem::path>& dirs) {
    std::vector<std::filesystem::path> present;
    for (const auto& dir : dirs)
        if (std::filesystem::is_directory(dir)) present.push_back(dir);
    if (!std::filesystem::exists(midicsv_tool)) GTEST_SKIP() << "midicsv is not installed";
    if (present.empty()) GTEST_SKIP() << "none of the folders exists";
    fixtures::TempDir dir;
    std::size_t compared = 0;
    for (const std::filesystem::path& path : music::find_midi_files(present)) {
        Bytes bytes = read_file(path);
        if (has_gzip_magic(bytes)) bytes = gunzip(bytes, path.string());  // midicsv reads no gzip
        const MidiFile file = read_midi(bytes, path.string());
        const std::string csv = midi_csv(file);
        ASSERT_EQ(csv, midicsv_of(bytes, dir)) << path;
        ASSERT_EQ(midi_csv(read_midi(write_midi(file), "rewritten.mid")), csv) << path;
        ++compared;
    }
    std::printf("midicsv agrees on %zu files\n", compared);
}

TEST(MidiCsvReference, AgreesWithMidicsvOnTheSharedCorpora) {
    const std::filesystem::path corpora = fixtures::shared_corpora();
    if (corpora.empty()) GTEST_SKIP() << "../shared/corpora is absent";
    expect_midicsv_agrees_on({corpora});
}

TEST(MidiCsvReference, AgreesWithMidicsvOnTheMidiDebianPackagesShip) {
    // mma (examples and its groove library), pianobooster (courses) and solfege (lesson files).
    expect_midicsv_agrees_on({"/usr/share/doc/mma", "/usr/share/mma", "/usr/share/doc/pianobooster", "/usr/share/solfege"});
}

}  // namespace
}  // namespace pianola::midi
