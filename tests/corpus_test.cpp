// Corpus: finding MIDI files, skipping the unreadable ones, listing the ones read with warnings,
// and the whole-corpus errors. Fixture folders are written into a fresh temporary folder per
// test; the shared corpora are checked only where they are present (a checkout with shared/
// beside it).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "TestFiles.h"
#include "io/FileError.h"
#include "midi/MidiFile.h"
#include "midi/MidiWriter.h"
#include "music/Corpus.h"
#include "music/CorpusSurvey.h"
#include "music/Score.h"
#include "music/Vocabulary.h"

namespace pianola::music {
namespace {

namespace fs = std::filesystem;

class CorpusTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        // The process id keeps concurrent test runs (ctest -j) out of each other's folders.
        dir_ = fs::temp_directory_path() /
               ("pianola_corpus_" + std::string(test->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // A format 0 file of `pitches` struck one after another, at velocity 90, or each `louder` more
    // than the last; with `tempos`, the tempo (microseconds a quarter) from each note on.
    fs::path write_piece(const fs::path& relative, const std::vector<std::uint8_t>& pitches, std::uint8_t louder = 0,
                         const std::vector<std::uint32_t>& tempos = {}) const {
        midi::MidiFile file;
        file.format = 0;
        midi::Track& track = file.tracks.emplace_back();
        std::uint32_t tick = 0;
        std::uint8_t velocity = 90 - static_cast<std::uint8_t>(louder * pitches.size() / 2);
        for (std::size_t k = 0; k < pitches.size(); ++k) {
            if (k < tempos.size()) fixtures::add_tempo(track, tick, tempos[k]);
            track.add_channel_event(tick, midi::status::note_on, pitches[k], velocity);
            velocity += louder;
            track.add_channel_event(tick + 240, midi::status::note_off, pitches[k], 0);
            tick += 240;
        }
        track.add_payload_event(tick, midi::status::meta, midi::meta::end_of_track, {});
        const fs::path path = dir_ / relative;
        fs::create_directories(path.parent_path());
        midi::write_midi_file(path, file);
        return path;
    }

    fs::path write_bytes(const fs::path& relative, const std::string& bytes) const {
        const fs::path path = dir_ / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

    fs::path dir_;
};

TEST_F(CorpusTest, FindsMidiNamesRecursivelyAndSorted) {
    for (const char* name : {"b.mid", "a.MIDI", "sub/c.kar", "sub/deeper/d.Smf", "e.mid.gz", "sub/h.Rmi", "notes.txt",
                             "f.midi.txt", "mid", "sub/g.gz", "i.rmid"})
        write_bytes(name, "");
    const std::vector<fs::path> expected = {dir_ / "a.MIDI", dir_ / "b.mid", dir_ / "e.mid.gz",
                                            dir_ / "sub/c.kar", dir_ / "sub/deeper/d.Smf", dir_ / "sub/h.Rmi"};
    EXPECT_EQ(find_midi_files({dir_}), expected);
    EXPECT_EQ(find_midi_files({dir_ / "sub", dir_}), expected);  // one list, no duplicates
}

TEST_F(CorpusTest, SurveysHowMuchThePiecesVaryTheirLoudness) {
    write_piece("a.mid", {60, 62, 64, 65});       // one velocity throughout
    write_piece("b.mid", {60, 62, 64, 65}, 10);   // 70, 80, 90, 100: a range of 30
    write_bytes("c.mid", "not MIDI");              // passed over
    CorpusSurvey survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_EQ(survey.pieces, 2u);
    EXPECT_EQ(survey.median_range, 0) << "the lower middle of 0 and 30";
    EXPECT_DOUBLE_EQ(survey.varying, 0.5);
    EXPECT_EQ(default_velocity_levels(survey), 0);

    write_piece("d.mid", {60, 64, 67}, 20);       // 70, 90, 110: 40
    survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_EQ(survey.pieces, 3u);
    EXPECT_EQ(survey.median_range, 30);
    EXPECT_EQ(default_velocity_levels(survey), 4);
    EXPECT_EQ(survey_corpus(find_midi_files({dir_}), 1).pieces, 1u) << "a sample of one file: the first";
    EXPECT_EQ(survey_corpus({}).pieces, 0u);
}

TEST_F(CorpusTest, SurveysHowManyPiecesChangeTempo) {
    // A tempo before the first note sets the piece's; a change under half a tempo bin is none; a
    // change at the last onset is one.
    write_piece("a.mid", {60, 62, 64}, 0, {600000});
    write_piece("b.mid", {60, 62, 64}, 0, {500000, 505000});
    CorpusSurvey survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_DOUBLE_EQ(survey.tempo_changing, 0);
    EXPECT_FALSE(default_tempo_tokens(survey));
    write_piece("c.mid", {60, 62, 64}, 0, {500000, 500000, 1000000});
    survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_DOUBLE_EQ(survey.tempo_changing, 1.0 / 3);
    EXPECT_TRUE(default_tempo_tokens(survey));
    for (const char* name : {"d.mid", "e.mid", "f.mid", "g.mid", "h.mid", "i.mid", "j.mid"}) write_piece(name, {60});
    survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_DOUBLE_EQ(survey.tempo_changing, 0.1);
    EXPECT_TRUE(default_tempo_tokens(survey)) << "one piece in ten";
    write_piece("k.mid", {60});
    EXPECT_FALSE(default_tempo_tokens(survey_corpus(find_midi_files({dir_}))));
}

TEST_F(CorpusTest, SurveysHowManyPiecesPressThePedal) {
    // Four quarter notes; the pedal pressed at `press` and lifted a beat later.
    const auto pedalled = [&](const char* name, std::uint32_t press) {
        Score score;
        for (std::uint32_t k = 0; k < 4; ++k) score.notes.push_back({k * 480, k * 480 + 480, 0, 0, 60});
        score.pedals = {{press, 0, 0, true}, {press + 480, 0, 0, false}};
        midi::write_midi_file(dir_ / name, midi_from_score(score));
    };
    pedalled("a.mid", 1700);  // after the last onset (1440): no pedal is heard
    write_piece("b.mid", {60, 62, 64});
    EXPECT_DOUBLE_EQ(survey_corpus(find_midi_files({dir_})).pedalled, 0);
    pedalled("c.mid", 0);
    pedalled("d.mid", 1440);  // at the last onset
    EXPECT_DOUBLE_EQ(survey_corpus(find_midi_files({dir_})).pedalled, 0.5);
}

TEST_F(CorpusTest, SurveysHowManyPiecesPlaySeveralInstrumentsAndReadsABandAsOne) {
    // A piano's four quarter notes, alone (program -1) or with a part of `program` on `channel` beside it.
    const auto band = [&](const char* name, int program, std::uint8_t channel) {
        Score score;
        for (std::uint32_t k = 0; k < 4; ++k) {
            score.notes.push_back({k * 480, k * 480 + 480, 0, 0, 60});
            if (program >= 0)
                score.notes.push_back({k * 480, k * 480 + 480, 0, 0, 36, 64, channel, static_cast<std::uint8_t>(program)});
        }
        midi::write_midi_file(dir_ / name, midi_from_score(score));
    };
    band("a.mid", -1, 0);
    band("b.mid", 0, 1);  // a second piano part is no second instrument
    band("c.mid", 33, 1);
    band("d.mid", -1, 0);
    CorpusSurvey survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_DOUBLE_EQ(survey.bands, 0.25);
    EXPECT_EQ(default_instruments(survey), Instruments::piano);
    band("e.mid", 0, drum_channel);  // a kit beside the piano
    band("f.mid", 40, 1);
    survey = survey_corpus(find_midi_files({dir_}));
    EXPECT_DOUBLE_EQ(survey.bands, 0.5);
    EXPECT_EQ(default_instruments(survey), Instruments::all);
}

TEST_F(CorpusTest, TakesAFileAsItIs) {
    const fs::path file = write_bytes("song.bin", "");
    EXPECT_EQ(find_midi_files({file}), std::vector<fs::path>{file});
}

TEST_F(CorpusTest, MissingOrEmptyFolderIsAnError) {
    write_bytes("empty/readme.txt", "no music here");
    try {
        find_midi_files({dir_ / "missing"});
        FAIL() << "a missing folder was accepted";
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), (dir_ / "missing").string());
        EXPECT_EQ(e.reason(), "no such folder");
    }
    try {
        load_corpus({dir_ / "empty"}, 1);
        FAIL() << "a folder without MIDI files was accepted";
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), (dir_ / "empty").string());
        EXPECT_EQ(e.reason(), "no MIDI files found");
    }
}

TEST_F(CorpusTest, SkipsUnreadableFilesAndKeepsTheRest) {
    write_piece("one.mid", {60, 62, 64});
    write_piece("sub/two.mid", {67});
    const fs::path corrupt = write_bytes("broken.mid", "MThd this is not MIDI");

    const Corpus corpus = load_corpus({dir_}, 2);
    ASSERT_EQ(corpus.pieces.size(), 2u);
    EXPECT_EQ(corpus.pieces[0].path, dir_ / "one.mid");
    EXPECT_EQ(corpus.tokens(corpus.pieces[0]), (std::vector<std::string>{"C4", "D4", "E4"}));
    EXPECT_EQ(corpus.pieces[1].path, dir_ / "sub/two.mid");
    EXPECT_EQ(corpus.token_count(), 4u);
    ASSERT_EQ(corpus.skipped.size(), 1u);
    EXPECT_EQ(corpus.skipped[0].path, corrupt);
    EXPECT_NE(corpus.skipped[0].reason.find("broken.mid"), std::string::npos) << corpus.skipped[0].reason;
    EXPECT_EQ(corpus.skipped[0].reason.find('\n'), std::string::npos);
}

TEST_F(CorpusTest, FileWithoutNotesIsSkipped) {
    write_piece("silent.mid", {});
    write_piece("tune.mid", {72});
    const Corpus corpus = load_corpus({dir_}, 1);
    ASSERT_EQ(corpus.skipped.size(), 1u);
    EXPECT_EQ(corpus.skipped[0].path, dir_ / "silent.mid");
    EXPECT_EQ(corpus.skipped[0].reason, "no notes");
}

TEST_F(CorpusTest, NoUsableFileIsAnError) {
    write_bytes("a.mid", "garbage");
    write_piece("b.mid", {});
    try {
        load_corpus({dir_}, 4);
        FAIL() << "a corpus without one readable file was accepted";
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), dir_.string());
        EXPECT_EQ(e.reason().rfind("no readable MIDI file (2 skipped; the first: ", 0), 0u) << e.reason();
        EXPECT_NE(e.reason().find("a.mid"), std::string::npos) << e.reason();
    }
}

TEST_F(CorpusTest, ResultDoesNotDependOnTheThreadCount) {
    for (int i = 0; i < 20; ++i)
        write_piece("piece" + std::to_string(i) + ".mid", {static_cast<std::uint8_t>(40 + i), 60});
    write_bytes("piece5b.mid", "not midi");
    const Corpus one = load_corpus({dir_}, 1);
    for (int threads : {3, 64, 0}) {
        const Corpus many = load_corpus({dir_}, threads);
        ASSERT_EQ(many.pieces.size(), one.pieces.size());
        for (std::size_t i = 0; i < one.pieces.size(); ++i) {
            EXPECT_EQ(many.pieces[i].path, one.pieces[i].path);
            EXPECT_EQ(many.tokens(many.pieces[i]), one.tokens(one.pieces[i]));
        }
        ASSERT_EQ(many.skipped.size(), 1u);
        EXPECT_EQ(many.skipped[0].path, dir_ / "piece5b.mid");
    }
}

// A format 0 file: header, then one track chunk holding `events` (delta times included).
std::string format_zero_file(const std::string& events) {
    const auto n = static_cast<std::uint32_t>(events.size());
    return std::string("MThd\0\0\0\6\0\0\0\1\0\x60MTrk", 18) +
           std::string{char(n >> 24), char(n >> 16), char(n >> 8), char(n)} + events;
}

const std::string end_of_track("\0\xFF\x2F\0", 4);

TEST_F(CorpusTest, ListsTheFilesReadWithWarnings) {
    write_piece("plain.mid", {60});
    // Two notes and no end-of-track: read, with a warning at the end of the track chunk.
    write_bytes("no_end.mid", format_zero_file(std::string("\0\x90\x3C\x40\x60\x80\x3C\x40", 8)));
    // A header that announces no tracks: a warning, and then no notes to tokenize.
    write_bytes("empty.mid", std::string("MThd\0\0\0\6\0\0\0\0\0\x60", 14));

    const Corpus corpus = load_corpus({dir_}, 2);
    ASSERT_EQ(corpus.pieces.size(), 2u);
    EXPECT_EQ(corpus.pieces[0].path, dir_ / "no_end.mid");
    EXPECT_EQ(corpus.tokens(corpus.pieces[0]), std::vector<std::string>{"C4"});
    ASSERT_EQ(corpus.skipped.size(), 1u);
    EXPECT_EQ(corpus.skipped[0].reason, "no notes");
    ASSERT_EQ(corpus.warned.size(), 2u);
    EXPECT_EQ(corpus.warned[0].path, dir_ / "empty.mid");
    EXPECT_EQ(corpus.warned[0].warnings, std::vector<std::string>{"the header announces no tracks (byte 10)"});
    EXPECT_EQ(corpus.warned[1].path, dir_ / "no_end.mid");
    EXPECT_EQ(corpus.warned[1].warnings, std::vector<std::string>{"track 1 has no end-of-track event (byte 30)"});
}

TEST_F(CorpusTest, ReadsRiffMidiFiles) {
    const std::string smf = format_zero_file(std::string("\0\x90\x40\x40\x60\x80\x40\x40", 8) + end_of_track);
    const auto little_endian = [](std::size_t n) {
        return std::string{char(n), char(n >> 8), char(n >> 16), char(n >> 24)};
    };
    const std::string body = "RMIDdata" + little_endian(smf.size()) + smf;
    write_bytes("song.rmi", "RIFF" + little_endian(body.size()) + body);
    const Corpus corpus = load_corpus({dir_}, 1);
    ASSERT_EQ(corpus.pieces.size(), 1u);
    EXPECT_EQ(corpus.tokens(corpus.pieces[0]), std::vector<std::string>{"E4"});
    EXPECT_TRUE(corpus.warned.empty());
}

TEST_F(CorpusTest, FormatZeroWithEveryChannelIsOnePartDrumsIncluded) {
    // One track, channels 0 to 15 in turn, each striking 60 + its number; channel 9 is drums.
    std::string events;
    for (int channel = 0; channel < 16; ++channel) {
        const char pitch = static_cast<char>(60 + channel);
        events += {0x00, static_cast<char>(0x90 | channel), pitch, 0x50};
        events += {0x60, static_cast<char>(0x80 | channel), pitch, 0x00};
    }
    write_bytes("channels.mid", format_zero_file(events + end_of_track));
    const Corpus corpus = load_corpus({dir_}, 1);
    ASSERT_EQ(corpus.pieces.size(), 1u);
    const std::vector<std::string> expected = {"C4",  "C#4", "D4", "E-4", "E4", "F4",  "F#4", "G4",
                                               "G#4", "A4",  "B-4", "B4", "C5", "C#5", "D5", "E-5"};
    EXPECT_EQ(corpus.tokens(corpus.pieces[0]), expected);  // A4, a drum on channel 10, is a Note to music21 5.x
}

// The shared corpora, when this checkout has them. The expected numbers were measured here with
// music21's reading (the peer, shared/peers/seed_torch.py, still merges all channels: 44,486 tokens
// and 584 distinct on ff-piano, 196,309 and 238 on nottingham).
fs::path shared_corpus(const char* name) { return fs::path(PIANOLA_SOURCE_DIR) / ".." / "shared" / "corpora" / name; }

struct CorpusFacts {
    std::size_t files, tokens, vocabulary;
};

void expect_corpus(const char* name, CorpusFacts expected) {
    const fs::path dir = shared_corpus(name);
    if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is not here";
    const Corpus corpus = load_corpus({dir}, 4);
    EXPECT_EQ(corpus.pieces.size(), expected.files);
    EXPECT_TRUE(corpus.skipped.empty()) << corpus.skipped.front().path << ": " << corpus.skipped.front().reason;
    std::vector<std::string> all;
    for (const CorpusPiece& piece : corpus.pieces) {
        const std::vector<std::string> tokens = corpus.tokens(piece);
        all.insert(all.end(), tokens.begin(), tokens.end());
    }
    EXPECT_EQ(corpus.token_count(), expected.tokens);
    EXPECT_EQ(Vocabulary(std::move(all)).size(), expected.vocabulary);
}

TEST(SharedCorpora, FfPianoAsMusic21ReadsIt) { expect_corpus("ff-piano", {92, 59386, 359}); }

TEST(SharedCorpora, NottinghamAsMusic21ReadsIt) { expect_corpus("nottingham", {1034, 245822, 122}); }

}  // namespace
}  // namespace pianola::music
