// The pianola binary end to end: the main commands work on files the test writes, and every kind
// of bad input gives one line on stderr, a non-zero exit and no output file.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <set>
#include <span>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "TestFiles.h"
#include "audio/SoundFont.h"
#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "midi/MidiCsv.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "compose/Accompany.h"
#include "compose/DecodingCalibration.h"
#include "compose/LmComposer.h"
#include "model/ModelFile.h"
#include "music/Ensemble.h"
#include "music/Score.h"
#include "music/TimedTokenizer.h"

using namespace pianola;

namespace {

struct CliResult {
    int exit_code = -1;
    std::string out, err;
};

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Runs `pianola ARGS` as given (for the commands that take no --threads).
CliResult run_command(const fixtures::TempDir& dir, const std::string& args) {
    const std::string command = std::string(PIANOLA_BINARY) + " " + args + " >" +
                                (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(dir / "stdout"),
            slurp(dir / "stderr")};
}

CliResult run_cli(const fixtures::TempDir& dir, const std::string& args) { return run_command(dir, args + " --threads 1"); }

void expect_one_line_error(const CliResult& r, const std::string& mention) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("pianola: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(mention), std::string::npos) << r.err;
}

// Two good melodies and one file that is not MIDI at all.
void write_corpus(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    fixtures::write_melody(dir / "a.mid", {60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65, 64, 62, 60, 55, 57, 59});
    fixtures::write_melody(dir / "b.mid", {67, 65, 64, 62, 60, 62, 64, 65, 67, 67, 67, 69, 67, 65, 64, 62, 60});
    write_file_atomically(dir / "broken.mid", std::string_view("MThd\0\0\0\6\0\1", 10));
}

}  // namespace

TEST(Cli, TokensPrintsEachFilesTokensAsOneJsonLineInCorpusOrder) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    for (const std::string tokenizer : {"seed", "timed"}) {
        const CliResult r = run_cli(dir, "tokens --print --tokenizer " + tokenizer + " --data " + (dir / "midi").string());
        ASSERT_EQ(r.exit_code, 0) << r.err;
        std::vector<nlohmann::json> lines;
        std::istringstream out(r.out);
        for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
        ASSERT_EQ(lines.size(), 2u) << r.out;  // broken.mid gives no tokens and no line
        EXPECT_EQ(std::filesystem::path(lines[0].at("file").get<std::string>()).filename(), "a.mid");
        EXPECT_EQ(std::filesystem::path(lines[1].at("file").get<std::string>()).filename(), "b.mid");
        if (tokenizer == "seed") {
            EXPECT_EQ(lines[0].at("tokens").size(), 18u);
            EXPECT_EQ(lines[1].at("tokens")[0], "G4");
        } else {
            EXPECT_EQ(lines[0].at("tokens")[0], "bar");
        }
    }
    expect_one_line_error(run_cli(dir, "tokens --print --json --data " + (dir / "midi").string()), "excludes");
}

TEST(Cli, TrainsOnAFolderWithACorruptFileAndNamesIt) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "train --preset tiny --tokenizer seed --epochs 2 --data " +
                                         (dir / "midi").string() + " --out " + (dir / "m.pianola").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("broken.mid"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("read 2 files (1 skipped)"), std::string::npos) << r.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "m.pianola"));

    const CliResult g = run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --out " +
                                         (dir / "out.mid").string() + " --notes 12 --seed 4");
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const music::Score score = music::score_from_midi(midi::read_midi_file(dir / "out.mid"));
    std::set<std::uint32_t> onsets;
    for (const music::Note& n : score.notes) onsets.insert(n.start_tick);
    EXPECT_EQ(onsets.size(), 12u);
}

TEST(Cli, TokensReportsFilesSkippedTokensAndVocabularyAsJson) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "tokens --tokenizer seed --json --data " + (dir / "midi").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"files\":2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"tokens\":35"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("broken.mid"), std::string::npos) << r.out;
    // Timed, by default: each melody opens with a bar and its meter, spends 4 more bar lines on its
    // 17 or 18 quarter notes, and a position, a pitch and a duration on each note.
    const nlohmann::json timed = nlohmann::json::parse(run_cli(dir, "tokens --json --data " + (dir / "midi").string()).out);
    EXPECT_EQ(timed.at("tokenizer"), "timed");
    EXPECT_EQ(timed.at("notes"), 35);
    EXPECT_EQ(timed.at("tokens"), 2 * (2 + 4) + 35 * 3);
    expect_one_line_error(run_cli(dir, "tokens --tokenizer seed --grid 24 --data " + (dir / "midi").string()),
                          "timed tokenizer only");
}

// Pieces at 120 BPM slowing to 60 halfway: the tempo and its change become tokens by default, and a
// model of them composes its own tempos, which --tempo scales and --seconds leaves out.
namespace {

// Piece `piece` of a small corpus: 16 notes a beat apart, each `held` ticks of 480 a beat, rising by
// fourths from a pitch class of its own.
music::Score fourths(int piece, std::uint32_t held) {
    music::Score score;
    for (std::uint32_t k = 0; k < 16; ++k) {
        music::Note note;
        note.start_tick = k * 480;
        note.end_tick = note.start_tick + held;
        note.pitch = static_cast<std::uint8_t>(60 + (k * 5 + static_cast<std::uint32_t>(piece)) % 12);
        score.notes.push_back(note);
    }
    return score;
}

}  // namespace

TEST(Cli, TempoChangesAreKeptWhereTheCorpusChangesTempo) {
    fixtures::TempDir dir;
    std::filesystem::create_directories(dir / "slowing");
    for (int piece = 0; piece < 3; ++piece) {
        music::Score score = fourths(piece, 480);
        score.tempos = {{8 * 480, 1000000}};
        midi::write_midi_file(dir / "slowing" / ("s" + std::to_string(piece) + ".mid"), music::midi_from_score(score));
    }
    const std::string data = " --data " + (dir / "slowing").string();
    const std::string printed = run_cli(dir, "tokens --print" + data).out;
    EXPECT_NE(printed.find("\"pos:0\",\"tempo:120\",\"pitch:60\""), std::string::npos) << printed;
    EXPECT_NE(printed.find("\"bar\",\"pos:0\",\"tempo:-16\""), std::string::npos) << printed;
    EXPECT_EQ(run_cli(dir, "tokens --print --tempo-changes drop" + data).out.find("tempo:"), std::string::npos);
    expect_one_line_error(run_cli(dir, "tokens --tokenizer seed --tempo-changes keep" + data), "timed tokenizer only");

    const std::string model = (dir / "m.pianola").string();
    const CliResult t = run_cli(dir, "train --preset tiny" + data + " --out " + model + " --max-minutes 0.05");
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("tempo changes: kept (100% change tempo;"), std::string::npos) << t.out;
    const auto composed = [&](const std::string& args) {
        const CliResult g = run_cli(dir, "generate --model " + model + " --out " + (dir / "g.mid").string() + " --seed 2 " + args);
        EXPECT_EQ(g.exit_code, 0) << g.err;
        return music::score_from_midi(midi::read_midi_file(dir / "g.mid"));
    };
    const music::Score own = composed("--bars 4");
    EXPECT_EQ(music::TimedTokenizer::tempo_of_bin(music::TimedTokenizer::bin_of_tempo(own.tempo_us)), own.tempo_us)
        << "a tempo of the tokens' grid";
    const music::Score at_90 = composed("--bars 4 --tempo 90");
    EXPECT_EQ(at_90.tempo_us, 666667u);
    ASSERT_EQ(at_90.tempos.size(), own.tempos.size());
    for (std::size_t k = 0; k < own.tempos.size(); ++k)
        EXPECT_NEAR(at_90.tempos[k].us_per_quarter, own.tempos[k].us_per_quarter * 666667.0 / own.tempo_us, 1) << "scaled alike";
    // A primer at 97 BPM, a tempo the model never learned: read as the nearest it did (120),
    // written from the primer's own.
    music::Score primer;
    primer.tempo_us = 618557;
    for (std::uint32_t k = 0; k < 4; ++k) {
        music::Note note;
        note.start_tick = k * 480;
        note.end_tick = note.start_tick + 480;
        note.pitch = 60;
        primer.notes.push_back(note);
    }
    midi::write_midi_file(dir / "primer.mid", music::midi_from_score(primer));
    EXPECT_EQ(composed("--bars 2 --primer " + (dir / "primer.mid").string()).tempo_us, 618557u);
    const music::Score timed = composed("--seconds 6");
    EXPECT_EQ(timed.tempo_us, 500000u) << "the corpus' tempo, at which 6 seconds were counted";
    EXPECT_TRUE(timed.tempos.empty());
}

// Pieces whose pianist changes the pedal at every bar: pressed at the first onset, lifted and
// pressed again at each bar line.
TEST(Cli, PedalChangesAreTokensWhenAskedAndPlayedBack) {
    fixtures::TempDir dir;
    std::filesystem::create_directories(dir / "pedalled");
    for (int piece = 0; piece < 3; ++piece) {
        music::Score score = fourths(piece, 240);
        for (std::uint32_t bar = 0; bar < 4; ++bar) {
            if (bar > 0) score.pedals.push_back({bar * 1920, 0, 0, false});
            score.pedals.push_back({bar * 1920 + 10, 0, 0, true});
        }
        score.pedals.push_back({16 * 480, 0, 0, false});
        midi::write_midi_file(dir / "pedalled" / ("p" + std::to_string(piece) + ".mid"), music::midi_from_score(score));
    }
    const std::string data = " --data " + (dir / "pedalled").string();
    EXPECT_EQ(run_cli(dir, "tokens --print" + data).out.find("pedal:"), std::string::npos) << "not by default";
    const std::string printed = run_cli(dir, "tokens --print --pedal-changes keep" + data).out;
    EXPECT_NE(printed.find("\"bar\",\"meter:4/4\",\"pos:0\",\"pedal:down\",\"pitch:60\""), std::string::npos) << printed;
    EXPECT_NE(printed.find("\"bar\",\"pos:0\",\"pedal:up\",\"pedal:down\""), std::string::npos) << printed;
    EXPECT_EQ(run_cli(dir, "tokens --print --pedal" + data).out.find("pedal:"), std::string::npos)
        << "the pedal read into durations instead";
    expect_one_line_error(run_cli(dir, "tokens --pedal --pedal-changes keep" + data), "either into durations or as tokens");
    expect_one_line_error(run_cli(dir, "tokens --tokenizer seed --pedal-changes keep" + data), "timed tokenizer only");

    const std::string model = (dir / "m.pianola").string();
    const CliResult plain = run_cli(dir, "train --preset tiny" + data + " --out " + model + " --max-minutes 0.02");
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_NE(plain.out.find("pedal: dropped, notes as long as their keys are held (100% press it;"), std::string::npos)
        << plain.out;
    // Its pieces are pedalled at their bass changes, as its corpus is, unless asked not to be.
    const std::string plain_piece = (dir / "plain.mid").string();
    const CliResult pedalled = run_cli(dir, "generate --model " + model + " --out " + plain_piece + " --bars 4 --seed 1");
    ASSERT_EQ(pedalled.exit_code, 0) << pedalled.err;
    EXPECT_NE(pedalled.out.find("pedalled at bass changes as 100% of the training pieces are"), std::string::npos)
        << pedalled.out;
    const music::Score with_pedal = music::score_from_midi(midi::read_midi_file(plain_piece));
    ASSERT_FALSE(with_pedal.pedals.empty());
    EXPECT_TRUE(with_pedal.pedals.front().down);
    EXPECT_FALSE(with_pedal.pedals.back().down);
    ASSERT_EQ(run_cli(dir, "generate --model " + model + " --out " + plain_piece + " --bars 4 --seed 1 --bass-pedal off").exit_code, 0);
    EXPECT_TRUE(music::score_from_midi(midi::read_midi_file(plain_piece)).pedals.empty());
    const CliResult t =
        run_cli(dir, "train --preset tiny --pedal-changes keep" + data + " --out " + model + " --max-minutes 0.05");
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_EQ(t.out.find("pedal: dropped"), std::string::npos) << t.out;
    // A primer's pedal is read as the model's tokens and written back as controller 64 on its channel.
    const std::string out = (dir / "g.mid").string();
    const CliResult g = run_cli(dir, "generate --model " + model + " --out " + out + " --bars 2 --seed 1 --primer " +
                                         (dir / "pedalled" / "p0.mid").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const music::Score composed = music::score_from_midi(midi::read_midi_file(out));
    // The primer's 4 bars: a press, then 3 changes of pedal (its lift after its last onset is not said).
    ASSERT_GE(composed.pedals.size(), 7u);
    for (std::size_t k = 0; k < 7; ++k) {
        EXPECT_EQ(composed.pedals[k].tick, k == 0 ? 0u : (k + 1) / 2 * 1920) << k;
        EXPECT_EQ(composed.pedals[k].down, k % 2 == 0) << k;
    }
}

TEST(Cli, VelocityLevelsComeOnWhereTheCorpusVariesItsLoudness) {
    fixtures::TempDir dir;
    for (int piece = 0; piece < 3; ++piece) {  // soft and loud notes in turn
        music::Score score;
        for (std::uint32_t k = 0; k < 8; ++k) {
            music::Note note;
            note.start_tick = k * 480;
            note.end_tick = note.start_tick + 480;
            note.pitch = static_cast<std::uint8_t>(60 + k + piece);
            note.velocity = k % 2 == 0 ? 40 : 110;
            score.notes.push_back(note);
        }
        std::filesystem::create_directories(dir / "dynamic");
        midi::write_midi_file(dir / "dynamic" / ("d" + std::to_string(piece) + ".mid"), music::midi_from_score(score));
    }
    const std::string tokens = "tokens --print --data " + (dir / "dynamic").string();
    const std::string printed = run_cli(dir, tokens).out;  // 4 levels: 40 in the second, 110 in the fourth
    EXPECT_NE(printed.find("\"vel:1\",\"pitch:60\",\"dur:12\",\"pos:12\",\"vel:3\",\"pitch:61\""), std::string::npos) << printed;
    EXPECT_EQ(run_cli(dir, tokens + " --velocity-levels 0").out.find("vel:"), std::string::npos);
    const CliResult t = run_cli(dir, "train --preset tiny --data " + (dir / "dynamic").string() + " --out " +
                                         (dir / "m.pianola").string() + " --max-minutes 0.05");
    ASSERT_EQ(t.exit_code, 0) << t.err;
    EXPECT_NE(t.out.find("of 3 files read: velocity: 4 levels (100% vary their loudness, the median piece by 70;"),
              std::string::npos) << t.out;
    EXPECT_NE(t.out.find("tempo changes: dropped (0% change tempo;"), std::string::npos) << t.out;
    // Parts around a tune at the bottom of the model's range, so that no note of the parts fits
    // under it, by a model that would draw a loudness wherever one may come: it is not left drawing
    // loudness after loudness (before, it did until its budget ran out: "the piece ended before the
    // melody's last notes", on the Debian corpus' tunes too).
    model::LoadedModel loud = model::load_model(dir / "m.pianola");
    {
        torch::NoGradGuard no_grad;
        const std::vector<std::string>& vocabulary = loud.info.vocabulary.tokens();
        for (auto& p : model::module_of(loud.net).named_parameters())
            if (p.value().dim() == 1 && p.value().size(0) == static_cast<std::int64_t>(vocabulary.size()))  // the output's bias
                for (std::size_t id = 0; id < vocabulary.size(); ++id)
                    if (vocabulary[id].starts_with("vel:")) p.value()[static_cast<std::int64_t>(id)] += 30;
    }
    model::save_model(dir / "loud.pianola", loud.info, model::module_of(loud.net));
    music::Score tune;
    for (std::uint32_t k = 0; k < 8; ++k) {
        music::Note note;
        note.start_tick = k * 960;
        note.end_tick = note.start_tick + 480;
        note.pitch = static_cast<std::uint8_t>(60 + k % 2);
        note.velocity = 110;
        tune.notes.push_back(note);
    }
    midi::write_midi_file(dir / "low.mid", music::midi_from_score(tune));
    for (const char* seed : {"1", "2", "3"}) {
        const CliResult a = run_cli(dir, "generate --model " + (dir / "loud.pianola").string() + " --melody " +
                                             (dir / "low.mid").string() + " --seed " + seed + " --out " + (dir / "a.mid").string());
        EXPECT_EQ(a.exit_code, 0) << "seed " << seed << ": " << a.err;
    }
    // The corpus of one velocity throughout, as most notation exports are: none.
    write_corpus(dir / "flat");
    EXPECT_EQ(run_cli(dir, "tokens --print --data " + (dir / "flat").string()).out.find("vel:"), std::string::npos);
}

namespace {

// Pieces with rhythm: notes of several lengths, rests, chords over three octaves; `shift`
// semitones up.
void write_rhythmic_corpus(const std::filesystem::path& dir, int shift = 0) {
    std::filesystem::create_directories(dir);
    for (int piece = 0; piece < 4; ++piece) {
        music::Score score;
        score.ticks_per_quarter = 480;
        std::uint32_t tick = 0;
        for (int bar = 0; bar < 8; ++bar)
            for (const auto& [length, gap, pitch] : {std::array<int, 3>{720, 0, 60}, {240, 0, 62}, {160, 0, 64},
                                                     {160, 0, 65}, {160, 480, 67}}) {
                for (int octave : {-24, 0, 12}) {
                    music::Note note;
                    note.start_tick = tick;
                    note.end_tick = tick + static_cast<std::uint32_t>(length);
                    note.pitch = static_cast<std::uint8_t>(pitch + octave + piece + shift);
                    if (octave == 0 || length == 720) score.notes.push_back(note);
                }
                tick += static_cast<std::uint32_t>(length + gap);
            }
        midi::write_midi_file(dir / ("r" + std::to_string(piece) + ".mid"), music::midi_from_score(score));
    }
}

}  // namespace

TEST(Cli, TrainsATimedModelAndComposesItsRhythm) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "train --preset tiny --tokenizer timed --data " + (dir / "midi").string() +
                                         " --out " + (dir / "m.pianola").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("timed tokens for 224 notes"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("bits/note"), std::string::npos) << r.err;
    const CliResult g = run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --out " +
                                         (dir / "out.mid").string() + " --notes 80 --seed 3 --temperature 1");
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_NE(g.out.find("composed 80 notes"), std::string::npos) << g.out;

    const music::Score score = music::score_from_midi(midi::read_midi_file(dir / "out.mid"));
    ASSERT_EQ(score.notes.size(), 80u);
    std::set<std::uint32_t> onsets, lengths;
    for (const music::Note& n : score.notes) {
        EXPECT_GT(n.end_tick, n.start_tick);
        onsets.insert(n.start_tick);
        lengths.insert(n.end_tick - n.start_tick);
    }
    std::set<std::uint32_t> intervals;
    for (auto it = std::next(onsets.begin()); it != onsets.end(); ++it) intervals.insert(*it - *std::prev(it));
    EXPECT_GT(intervals.size(), 3u);  // the corpus has four: 160, 240, 640 and 720 ticks
    EXPECT_GE(lengths.size(), 3u);    // and three note lengths: 160, 240 and 720 ticks
    expect_one_line_error(run_cli(dir, "train --preset seed-tiny --tokenizer timed --data " + (dir / "midi").string() +
                                           " --out " + (dir / "s.pianola").string()),
                          "--tokenizer timed needs a next-token preset");
}

// (onset, end, pitch) of every note of a file, in onset order.
std::vector<std::array<std::uint32_t, 3>> note_spans(const std::filesystem::path& path) {
    std::vector<std::array<std::uint32_t, 3>> spans;
    for (const music::Note& n : music::score_from_midi(midi::read_midi_file(path)).notes)
        spans.push_back({n.start_tick, n.end_tick, n.pitch});
    return spans;
}

TEST(Cli, InfillRewritesTheBarsAskedAndKeepsTheRest) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    ASSERT_EQ(run_cli(dir, "train --preset tiny --fill-rate 0.5 --data " + (dir / "midi").string() + " --out " +
                               (dir / "m.pianola").string())
                  .exit_code, 0);
    // Filling in the middle moves whole bars: the original design's tokens and timed tokens without bars have none.
    const std::string elsewhere = " --fill-rate 0.5 --data " + (dir / "midi").string() + " --out " + (dir / "x.pianola").string();
    expect_one_line_error(run_cli(dir, "train --preset seed-tiny" + elsewhere), "--fill-rate applies to next-token presets only");
    expect_one_line_error(run_cli(dir, "train --preset tiny --time-tokens shifts" + elsewhere),
                          "--fill-rate fills in bars: it needs timed tokens in bars");
    EXPECT_FALSE(std::filesystem::exists(dir / "x.pianola"));
    const std::filesystem::path piece = dir / "midi" / "r0.mid";
    const std::string infill = "generate --model " + (dir / "m.pianola").string() + " --infill " + piece.string();
    const CliResult g = run_cli(dir, infill + " --bars 3-4 --seed 2 --temperature 1.5 --out " + (dir / "f.mid").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    // Trained to fill in the middle, the model reads the bars after the gap before it draws.
    EXPECT_NE(g.out.find("bars 3-4 rewritten toward the bars after them: "), std::string::npos) << g.out;
    // Bars of 1,920 ticks: what starts before bar 3 or from bar 5 on is the original's, note for note.
    const auto outside = [](std::vector<std::array<std::uint32_t, 3>> spans) {
        std::erase_if(spans, [](const auto& s) { return s[0] >= 2 * 1920 && s[0] < 4 * 1920; });
        return spans;
    };
    const auto original = note_spans(piece), filled = note_spans(dir / "f.mid");
    EXPECT_EQ(outside(filled), outside(original));
    EXPECT_NE(filled, original) << "bars 3-4 drawn again at temperature 1.5";

    // Pitches only: every onset and duration stays.
    const CliResult r = run_cli(dir, infill + " --bars 3-4 --keep rhythm --seed 2 --temperature 1.5 --out " + (dir / "p.mid").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto repitched = note_spans(dir / "p.mid");
    ASSERT_EQ(repitched.size(), original.size());
    std::multiset<std::pair<std::uint32_t, std::uint32_t>> times, original_times;
    for (const auto& s : repitched) times.insert({s[0], s[1]});
    for (const auto& s : original) original_times.insert({s[0], s[1]});
    EXPECT_EQ(times, original_times);
    EXPECT_EQ(outside(repitched), outside(original));

    // Chords kept: new notes, but each rewritten bar's pitch classes are among the original bar's.
    const CliResult k = run_cli(dir, infill + " --bars 3-4 --keep chords --seed 2 --temperature 1.5 --out " + (dir / "k.mid").string());
    ASSERT_EQ(k.exit_code, 0) << k.err;
    EXPECT_NE(k.out.find("(on the original chords)"), std::string::npos) << k.out;
    const auto rechorded = note_spans(dir / "k.mid");
    EXPECT_EQ(outside(rechorded), outside(original));
    EXPECT_NE(rechorded, original) << "new notes";
    for (const std::uint32_t bar : {2u, 3u}) {
        std::set<std::uint32_t> classes, original_classes;
        for (const auto& s : rechorded)
            if (s[0] / 1920 == bar) classes.insert(s[2] % 12);
        for (const auto& s : original)
            if (s[0] / 1920 == bar) original_classes.insert(s[2] % 12);
        EXPECT_TRUE(std::includes(original_classes.begin(), original_classes.end(), classes.begin(), classes.end()))
            << "bar " << bar + 1;
    }

    // evaluate says how the model hears the rewritten bars, beside the original bars, as generate did.
    const CliResult e = run_cli(dir, "evaluate --json --data " + (dir / "midi").string() + " --model " + (dir / "m.pianola").string() +
                                         " --infill " + piece.string() + " --bars 3-4 " + (dir / "f.mid").string() + " " +
                                         (dir / "p.mid").string());
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const nlohmann::json evaluated = nlohmann::json::parse(e.out);
    const auto fit_of = [](const nlohmann::json& fit) { return fmt::format("{:.2f}", fit.at("bits_per_note").get<double>()); };
    const std::string said = g.out.substr(g.out.find("bits/note (the original bars: "));
    EXPECT_EQ(said.rfind(fmt::format("bits/note (the original bars: {})", fit_of(evaluated.at("infill_original"))), 0), 0u)
        << said << " against " << evaluated.at("infill_original").dump();
    EXPECT_NE(g.out.find(fmt::format("after them: {} bits/note", fit_of(evaluated.at("composed")[0].at("infill_fit")))),
              std::string::npos) << g.out << " against " << evaluated.at("composed")[0].dump();
    EXPECT_TRUE(evaluated.at("composed")[1].at("infill_fit").at("join_bits").is_number());
    expect_one_line_error(run_cli(dir, "evaluate --data " + (dir / "midi").string() + " --bars 3-4 " + (dir / "f.mid").string()),
                          "measuring rewritten bars takes --model, --infill (the piece before) and --bars A-B");

    expect_one_line_error(run_cli(dir, infill + " --bars 8-9 --out " + (dir / "x.mid").string()), "not within the piece's 8 bars");
    expect_one_line_error(run_cli(dir, infill + " --bars 4-3 --out " + (dir / "x.mid").string()), "the first not after the last");
    expect_one_line_error(run_cli(dir, infill + " --out " + (dir / "x.mid").string()), "--infill needs --bars");
    expect_one_line_error(run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --keep rhythm --out " +
                                           (dir / "x.mid").string()),
                          "--keep rhythm applies to --infill");
}

TEST(Cli, MelodyGetsPartsComposedAroundItOnTracksOfTheirOwn) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    ASSERT_EQ(run_cli(dir, "train --preset tiny --data " + (dir / "midi").string() + " --out " + (dir / "m.pianola").string())
                  .exit_code, 0);
    // A tune at 384 ticks a beat (32 a step; the corpus' files have 480) in the corpus' note
    // lengths: a dotted quarter, an eighth, a dotted quarter, every other bar a rest instead of the last.
    music::Score tune;
    tune.ticks_per_quarter = 384;
    for (std::uint32_t bar = 0; bar < 8; ++bar)
        for (const auto& [step, steps, pitch] : {std::array<std::uint32_t, 3>{0, 18, 79}, {18, 6, 76}, {24, 18, 74}}) {
            if (bar % 2 == 1 && step == 24) continue;
            music::Note note;
            note.start_tick = (bar * 48 + step) * 32;
            note.end_tick = note.start_tick + steps * 32;
            note.pitch = static_cast<std::uint8_t>(pitch - bar % 3);
            tune.notes.push_back(note);
        }
    const std::filesystem::path melody = dir / "tune.mid";
    midi::write_midi_file(melody, music::midi_from_score(tune));
    const std::string accompany = "generate --model " + (dir / "m.pianola").string() + " --melody " + melody.string();
    const CliResult g = run_cli(dir, accompany + " --seed 3 --out " + (dir / "a.mid").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_NE(g.out.find("notes around the melody's 20 ("), std::string::npos) << g.out;
    EXPECT_NE(g.out.find("bits/note with them ("), std::string::npos) << g.out;

    // The melody's file is all there, event for event, and the parts come after it on a channel of their own.
    const midi::MidiFile given = midi::read_midi_file(melody), out = midi::read_midi_file(dir / "a.mid");
    ASSERT_GT(out.tracks.size(), given.tracks.size());
    EXPECT_EQ(out.division, given.division);
    for (std::size_t t = 0; t < given.tracks.size(); ++t) {
        ASSERT_EQ(out.tracks[t].events.size(), given.tracks[t].events.size()) << "track " << t;
        for (std::size_t e = 0; e < given.tracks[t].events.size(); ++e) {
            const midi::Event &a = out.tracks[t].events[e], &b = given.tracks[t].events[e];
            EXPECT_EQ(std::tie(a.tick, a.status, a.meta_type, a.d1, a.d2), std::tie(b.tick, b.status, b.meta_type, b.d1, b.d2));
        }
    }
    const music::Score heard = music::score_from_midi(out);
    EXPECT_EQ(heard.meters, music::score_from_midi(given).meters);
    std::vector<music::Note> tune_notes, parts;
    for (const music::Note& n : heard.notes) (n.track < given.tracks.size() ? tune_notes : parts).push_back(n);
    ASSERT_EQ(tune_notes.size(), tune.notes.size());
    ASSERT_FALSE(parts.empty());
    for (const music::Note& n : parts) {
        EXPECT_NE(n.channel, 0) << "the tune's channel is its own";
        EXPECT_EQ(n.start_tick % 32, 0u) << "on the grid: 12 steps a beat";
        EXPECT_LT(n.start_tick, 8u * 4 * 384) << "within the tune's eight bars";
        for (const music::Note& m : tune_notes) {
            if (m.start_tick <= n.start_tick && n.start_tick < m.end_tick) {
                EXPECT_LT(n.pitch, m.pitch) << "at tick " << n.start_tick << ": below the tune";
            }
        }
    }

    // evaluate finds the tune in the piece and says what generate said of the parts.
    const CliResult e = run_cli(dir, "evaluate --json --data " + (dir / "midi").string() + " --model " + (dir / "m.pianola").string() +
                                         " --melody " + melody.string() + " " + (dir / "a.mid").string());
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const nlohmann::json fit = nlohmann::json::parse(e.out).at("composed")[0].at("accompaniment_fit");
    EXPECT_EQ(fit.at("melody_notes"), 20);
    EXPECT_NE(g.out.find(fmt::format("{} notes around the melody's 20 ({:.0f}% in its key); the model hears the melody at {:.2f} "
                                     "bits/note with them ({:.2f} alone)",
                                     fit.at("notes").get<int>(), 100 * fit.at("in_key").get<double>(),
                                     fit.at("melody_bits_per_note").get<double>(), fit.at("alone_bits_per_note").get<double>())),
              std::string::npos) << g.out << " against " << fit.dump();
    expect_one_line_error(run_cli(dir, "evaluate --data " + (dir / "midi").string() + " --melody " + melody.string() + " " +
                                           (dir / "a.mid").string()),
                          "measuring parts around a melody takes --model and --melody");

    expect_one_line_error(run_cli(dir, accompany + " --bars 4 --out " + (dir / "x.mid").string()),
                          "--melody composes around its file");
    expect_one_line_error(run_cli(dir, accompany + " --tempo 90 --out " + (dir / "x.mid").string()), "--tempo do not apply");
    expect_one_line_error(run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --melody " +
                                           (dir / "m.pianola").string() + " --out " + (dir / "x.mid").string()),
                          "m.pianola");
    EXPECT_FALSE(std::filesystem::exists(dir / "x.mid"));
}

// A band: a piano melody, a bass (program 33) on each beat and a kit (bass drum and hi-hat).
void write_band_corpus(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    for (int piece = 0; piece < 4; ++piece) {
        music::Score score;
        score.ticks_per_quarter = 480;
        const auto add = [&](std::uint32_t start, std::uint32_t length, int pitch, int program, int channel) {
            music::Note n;
            n.start_tick = start;
            n.end_tick = start + length;
            n.pitch = static_cast<std::uint8_t>(pitch);
            n.program = static_cast<std::uint8_t>(program);
            n.channel = static_cast<std::uint8_t>(channel);
            score.notes.push_back(n);
        };
        for (std::uint32_t beat = 0; beat < 32; ++beat) {
            const std::uint32_t tick = beat * 480;
            add(tick, 240, 64 + static_cast<int>((beat * 2 + piece) % 7), 0, 0);
            add(tick, 480, 36 + static_cast<int>(beat % 4 == 2 ? 7 : 0), 33, 1);
            add(tick, 60, beat % 2 == 0 ? 36 : 42, 0, music::drum_channel);
        }
        std::stable_sort(score.notes.begin(), score.notes.end(),
                         [](const music::Note& a, const music::Note& b) { return a.start_tick < b.start_tick; });
        midi::write_midi_file(dir / ("b" + std::to_string(piece) + ".mid"), music::midi_from_score(score));
    }
}

TEST(Cli, TrainsABandWithInstrumentsAsTokensAndComposesItsParts) {
    fixtures::TempDir dir;
    write_band_corpus(dir / "band");
    // Every file a band: read as one without being told.
    const CliResult r = run_cli(dir, "train --preset tiny --data " + (dir / "band").string() + " --out " +
                                         (dir / "b.pianola").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("instruments: all, a band in and a band out (100% play several; --instruments sets it)"),
              std::string::npos)
        << r.out;
    const CliResult g = run_cli(dir, "generate --model " + (dir / "b.pianola").string() + " --out " +
                                         (dir / "band.mid").string() + " --notes 120 --seed 3 --temperature 1");
    ASSERT_EQ(g.exit_code, 0) << g.err;
    std::set<int> instruments;  // programs, 128 for the kit
    for (const music::Note& n : music::score_from_midi(midi::read_midi_file(dir / "band.mid")).notes)
        instruments.insert(n.channel == music::drum_channel ? 128 : n.program);
    EXPECT_GE(instruments.size(), 2u);
    for (const int instrument : instruments) EXPECT_TRUE(instrument == 0 || instrument == 33 || instrument == 128) << instrument;
    // The model file counts the training pieces by how many instruments they play (all 4 files: 3),
    // and each piece composed keeps to a number drawn from them.
    model::LoadedModel band = model::load_model(dir / "b.pianola");
    EXPECT_EQ(band.info.training["ensembles"], nlohmann::json({0, 0, 0, 4}));
    band.info.training["ensembles"] = {0, 1};  // as though every training piece were a solo
    compose::ComposeOptions solos;
    solos.length.amount = 60;
    solos.count = 4;
    solos.sampling.temperature = 1;
    for (const compose::ComposedPiece& piece : compose::compose_lm(band, solos, nullptr))
        EXPECT_EQ(music::ensemble_size(piece.tokens), 1);
    // Around a tune (on the bass) the parts add one instrument: the ensemble, at least two, holds the tune's.
    const std::vector<std::string> tune{"bar", "meter:4/4", "pos:0", "prog:33", "pitch:40", "dur:12", "pos:24",
                                        "pitch:43", "dur:12", "bar", "pos:0", "pitch:36", "dur:12"};
    compose::AccompanyOptions around;
    around.sampling.temperature = 1;
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        around.seed = seed;
        const compose::AccompaniedPiece piece = compose::accompany(band, tune, around);
        EXPECT_GT(piece.fit.accompaniment_notes, 0);
        EXPECT_LE(music::ensemble_size(piece.tokens), 2);
    }
    // Parts of drums alone are in no key.
    std::string drum_length;
    for (const std::string& token : band.info.vocabulary.tokens())
        if (drum_length.empty() && token.starts_with("dur:")) drum_length = token;
    std::vector<std::string> drummed = tune;
    drummed.insert(drummed.begin() + 6, {"drum:36", drum_length});
    const compose::AccompanimentFit drums =
        compose::accompaniment_fit(band, drummed, compose::melody_marks(band.info, drummed, tune), tune);
    EXPECT_EQ(drums.melody_notes, 3);
    EXPECT_EQ(drums.accompaniment_notes, 1);
    EXPECT_FALSE(drums.in_key.has_value()) << *drums.in_key;
    // Nor has a piece of drums alone pitches to measure: the calibration leaves such a held-out (or
    // composed) piece out instead of stopping the training after its model is written.
    std::vector<std::int64_t> held_out;
    const std::string start(music::piece_start_token);
    for (const std::string& token :
         std::vector<std::string>{start, "bar", "pos:0", "drum:36", drum_length, start, "bar", "pos:0", "prog:33", "pitch:40", "dur:12"})
        held_out.push_back(band.info.vocabulary.id(token));
    band.info.held_out_ids = held_out;
    EXPECT_EQ(compose::held_out_stats(band.info).size(), 1u);
    band.info.training["ensembles"] = {0, 1, 1};
    std::set<int> limits;
    for (std::uint64_t seed = 1; seed <= 16; ++seed) limits.insert(compose::ensemble_limit(band.info, seed));
    EXPECT_EQ(limits, (std::set<int>{1, 2}));
    // --program puts every part but the drums on one instrument.
    const CliResult violin = run_cli(dir, "generate --model " + (dir / "b.pianola").string() + " --out " +
                                              (dir / "violin.mid").string() + " --notes 120 --seed 3 --temperature 1 --program 40");
    ASSERT_EQ(violin.exit_code, 0) << violin.err;
    for (const music::Note& n : music::score_from_midi(midi::read_midi_file(dir / "violin.mid")).notes)
        EXPECT_EQ(n.program, n.channel == music::drum_channel ? 0 : 40);
    expect_one_line_error(run_cli(dir, "train --preset tiny --tokenizer seed --instruments all --data " +
                                           (dir / "band").string() + " --out " + (dir / "s.pianola").string()),
                          "apply to the timed tokenizer only");
}

TEST(Cli, FineTunesATrainedModelOnAFolderOfItsOwn) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "base");
    write_rhythmic_corpus(dir / "mine", 12);  // an octave up: pitches the base never saw
    const std::string base = (dir / "base.pianola").string(), mine = (dir / "mine").string();
    ASSERT_EQ(run_cli(dir, "train --preset tiny --data " + (dir / "base").string() + " --out " + base).exit_code, 0);

    const CliResult tuned = run_cli(dir, "train --init " + base + " --data " + mine + " --out " +
                                             (dir / "tuned.pianola").string() + " --epochs 2");
    ASSERT_EQ(tuned.exit_code, 0) << tuned.err;
    EXPECT_NE(tuned.out.find("fine-tuning " + base), std::string::npos) << tuned.out;
    EXPECT_NE(tuned.out.find("preset fine-tune: embedding 16, 1x32 LSTM"), std::string::npos) << tuned.out;
    const CliResult scratch = run_cli(dir, "train --preset tiny --data " + mine + " --out " +
                                               (dir / "scratch.pianola").string() + " --epochs 2");
    ASSERT_EQ(scratch.exit_code, 0) << scratch.err;

    const model::LoadedModel from = model::load_model(base), to = model::load_model(dir / "tuned.pianola"),
                             fresh = model::load_model(dir / "scratch.pianola");
    EXPECT_GT(to.info.vocabulary.size(), from.info.vocabulary.size());
    for (const std::string& token : from.info.vocabulary.tokens()) EXPECT_TRUE(to.info.vocabulary.contains(token)) << token;
    EXPECT_EQ(to.info.training.at("init"), base);
    // The guard indexes the base's pieces too.
    EXPECT_EQ(to.info.corpus_ids.size(), fresh.info.corpus_ids.size() + from.info.corpus_ids.size());
    // After the same two epochs, what the base knew of rhythm and form shows on the held-out piece.
    EXPECT_LT(to.info.training.at("validation_bits_per_note").get<double>(),
              fresh.info.training.at("validation_bits_per_note").get<double>());

    const auto refused = [&](const std::string& flags) {
        return run_cli(dir, "train --init " + base + " --data " + mine + " --out " + (dir / "x.pianola").string() + " " + flags);
    };
    expect_one_line_error(refused("--hidden 64"), "--init keeps the base model's network: --hidden");
    expect_one_line_error(refused("--arch lstm"), "--init keeps the base model's network");
    expect_one_line_error(refused("--tokenizer seed"), "--init keeps the base model's tokenizer");
    ASSERT_EQ(run_cli(dir, "train --preset seed-tiny --data " + (dir / "base").string() + " --out " +
                               (dir / "seed.pianola").string()).exit_code, 0);
    expect_one_line_error(run_cli(dir, "train --init " + (dir / "seed.pianola").string() + " --data " + mine + " --out " +
                                           (dir / "x.pianola").string()),
                          "cannot be fine-tuned");
    EXPECT_FALSE(std::filesystem::exists(dir / "x.pianola"));
}

TEST(Cli, ComposesWithPrimersLengthsInBarsTempoProgramAndEvaluates) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    const std::string model = (dir / "m.pianola").string();
    const CliResult trained = run_cli(dir, "train --preset tiny --data " + (dir / "midi").string() + " --out " + model);
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
    EXPECT_NE(trained.out.find("composing calibrated"), std::string::npos) << trained.out;
    EXPECT_NE(trained.out.find("piece memory fitted"), std::string::npos) << trained.out;
    EXPECT_TRUE(model::load_model(model).info.training.contains("memory"));
    EXPECT_NE(trained.err.find(" gap "), std::string::npos) << trained.err;  // each epoch's validation-training gap
    const auto generate = [&](const std::string& out, const std::string& args) {
        return run_cli(dir, "generate --model " + model + " --out " + (dir / out).string() + " --seed 2 " + args);
    };

    // A chord primer, then four bars, at 90 BPM on a violin (program 40), sampled within top-k and top-p.
    const CliResult chord = generate("chord.mid", "--chord G --bars 4 --tempo 90 --program 40 --top-k 5 --top-p 0.9 --time-top-p 0.95");
    ASSERT_EQ(chord.exit_code, 0) << chord.err;
    EXPECT_NE(chord.out.find("top-p 0.9 for pitches, 0.95 for time,"), std::string::npos) << chord.out;
    EXPECT_NE(chord.out.find("composed 4 bars"), std::string::npos) << chord.out;
    EXPECT_NE(chord.out.find("longest run shared with the training pieces"), std::string::npos) << chord.out;
    const music::Score score = music::score_from_midi(midi::read_midi_file(dir / "chord.mid"));
    EXPECT_EQ(score.tempo_us, 666667u);
    ASSERT_GT(score.notes.size(), 3u);
    std::set<int> first;
    for (const music::Note& n : score.notes) {
        EXPECT_EQ(n.program, 40);
        if (n.start_tick == 0) first.insert(n.pitch);
        EXPECT_LT(n.start_tick, 5u * 4 * score.ticks_per_quarter);  // the primer's bar and four more
    }
    for (const int pitch : {55, 59, 62}) EXPECT_TRUE(first.count(pitch)) << pitch;  // G major at the start

    // By default as long as the median held-out piece (at least 150 notes), as calibrated.
    const CliResult whole_length = generate("default.mid", "--time-temperature 1");
    ASSERT_EQ(whole_length.exit_code, 0) << whole_length.err;
    const auto piece_notes = model::load_model(model).info.training.at("piece_notes").get<std::size_t>();
    EXPECT_GE(piece_notes, 150u);
    EXPECT_NE(whole_length.out.find(fmt::format("composed {} notes (the held-out pieces' median)", piece_notes)),
              std::string::npos) << whole_length.out;
    EXPECT_NE(whole_length.out.find("temperature 0.8 for pitches, 1 for time"), std::string::npos) << whole_length.out;
    EXPECT_EQ(music::score_from_midi(midi::read_midi_file(dir / "default.mid")).notes.size(), piece_notes);

    // The piece memory and the key pull as told, not as calibrated.
    const CliResult told = generate("told.mid", "--notes 20 --memory 0 --key-pull 0.5");
    ASSERT_EQ(told.exit_code, 0) << told.err;
    EXPECT_NE(told.out.find("no piece memory, key pull 0.5)"), std::string::npos) << told.out;
    const CliResult durations = generate("durations.mid", "--notes 20 --duration-temperature 1.2 --duration-top-p 0.9");
    ASSERT_EQ(durations.exit_code, 0) << durations.err;
    EXPECT_NE(durations.out.find(", 1.2 for durations, top-p "), std::string::npos) << durations.out;
    EXPECT_NE(durations.out.find(", 0.9 for durations"), std::string::npos) << durations.out;
    expect_one_line_error(generate("bad.mid", "--memory 3"), "--memory");

    // A MIDI primer is the head of the piece; 40 notes follow it.
    const music::Score primer = music::score_from_midi(midi::read_midi_file(dir / "midi" / "r0.mid"));
    const CliResult continued = generate("continued.mid", "--primer " + (dir / "midi" / "r0.mid").string() + " --notes 40");
    ASSERT_EQ(continued.exit_code, 0) << continued.err;
    EXPECT_NE(continued.out.find("as calibrated for the model"), std::string::npos) << continued.out;
    const music::Score whole = music::score_from_midi(midi::read_midi_file(dir / "continued.mid"));
    // A model file calibrated before time tokens were cut apart holds one top-p: pitches take it,
    // time is uncut; one from before the piece memory and the key pull has neither.
    {
        model::LoadedModel older = model::load_model(model);
        const double top_p = older.info.training.at("top_p").get<double>();
        for (const char* key : {"time_top_p", "time_temperature", "duration_top_p", "duration_temperature", "memory",
                                "memory_strength", "key_pull", "piece_notes"})
            older.info.training.erase(key);
        model::save_model(dir / "older.pianola", older.info, model::module_of(older.net));
        const CliResult old_file = run_cli(dir, "generate --model " + (dir / "older.pianola").string() + " --out " +
                                                    (dir / "older.mid").string() + " --seed 2");
        ASSERT_EQ(old_file.exit_code, 0) << old_file.err;
        EXPECT_NE(old_file.out.find("composed 500 notes in"), std::string::npos) << old_file.out;
        EXPECT_NE(old_file.out.find(fmt::format("temperature 0.8 for pitches, 0.8 for time, 0.8 for durations, top-p {} for "
                                                "pitches, 1 for time, 1 for durations, no piece memory)",
                                                top_p)),
                  std::string::npos) << old_file.out;
    }
    ASSERT_EQ(whole.notes.size(), primer.notes.size() + 40);
    for (std::size_t i = 0; i < primer.notes.size(); ++i) {
        EXPECT_EQ(whole.notes[i].pitch, primer.notes[i].pitch) << i;
        EXPECT_EQ(whole.notes[i].start_tick, primer.notes[i].start_tick) << i;
    }

    expect_one_line_error(generate("x.mid", "--chord H"), "not a chord or key");
    expect_one_line_error(generate("x.mid", "--chord C"), "never learned");  // C3 is below the corpus' range
    write_file_atomically(dir / "text.mid", std::string_view("not midi at all"));
    expect_one_line_error(generate("x.mid", "--primer " + (dir / "text.mid").string()), "text.mid");
    expect_one_line_error(generate("x.mid", "--bars 2 --seconds 3"), "excludes");
    EXPECT_FALSE(std::filesystem::exists(dir / "x.mid"));

    const CliResult table = run_cli(dir, "evaluate " + (dir / "chord.mid").string() + " " + (dir / "continued.mid").string() +
                                             " --data " + (dir / "midi").string());
    ASSERT_EQ(table.exit_code, 0) << table.err;
    for (const char* row : {"scale_consistency", "pitch_class_entropy", "ioi_entropy", "copy_any_key_tokens", "shared_8grams",
                            "held-out", "distance to the held-out pieces", "pitch_class_histogram", "training pieces"})
        EXPECT_NE(table.out.find(row), std::string::npos) << row << "\n" << table.out;
    const CliResult json = run_cli(dir, "evaluate " + (dir / "continued.mid").string() + " --json --data " + (dir / "midi").string());
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const auto j = nlohmann::json::parse(json.out);
    ASSERT_EQ(j.at("composed").size(), 1u);
    EXPECT_EQ(j.at("held_out").size(), 1u);  // a tenth of 4 pieces, rounded, at least one
    EXPECT_EQ(j.at("composed")[0].at("notes").get<double>(), static_cast<double>(whole.notes.size()));
    const auto& distance = j.at("distance");
    EXPECT_EQ(distance.at("training_sample_pieces").get<int>(), 1);  // as many training pieces as composed ones
    for (const char* side : {"composed", "training_sample"}) {
        const double total = distance.at(side).at("total").get<double>();
        EXPECT_GE(total, 0.0) << side;
        EXPECT_LE(total, 1.0) << side;
        EXPECT_TRUE(distance.at(side).contains("ioi_entropy")) << side;
    }
    // The primer is a training or held-out piece: its notes are found verbatim.
    EXPECT_GE(j.at("composed")[0].at("copy_exact_tokens").get<double>(), 20.0);
}

TEST(Cli, MissingOrEmptyFolderIsOneLine) {
    fixtures::TempDir dir;
    std::filesystem::create_directories(dir / "empty");
    expect_one_line_error(run_cli(dir, "tokens --data " + (dir / "nowhere").string()), "nowhere");
    expect_one_line_error(run_cli(dir, "train --preset tiny --data " + (dir / "empty").string() + " --out " +
                                           (dir / "m.pianola").string()),
                          "empty");
    EXPECT_FALSE(std::filesystem::exists(dir / "m.pianola"));
}

TEST(Cli, NonModelFileIsOneLine) {
    fixtures::TempDir dir;
    fixtures::write_melody(dir / "a.mid", {60, 62});
    expect_one_line_error(run_cli(dir, "generate --model " + (dir / "a.mid").string() + " --out " +
                                           (dir / "out.mid").string()),
                          "not a pianola model");
    EXPECT_FALSE(std::filesystem::exists(dir / "out.mid"));
}

TEST(Cli, BadNoteCountsAreOneLine) {
    fixtures::TempDir dir;
    for (const std::string notes : {"0", "-3", "many"}) {
        const CliResult r = run_cli(dir, "generate --model m.pianola --out " + (dir / "out.mid").string() +
                                             " --notes " + notes);
        expect_one_line_error(r, "--notes");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out.mid"));
}

TEST(Cli, UnwritableOutputIsOneLineBeforeAnyWork) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    expect_one_line_error(run_cli(dir, "train --preset tiny --data " + (dir / "midi").string() +
                                           " --out /nonexistent-folder/m.pianola"),
                          "/nonexistent-folder/m.pianola");
    expect_one_line_error(run_cli(dir, "train --preset tiny --data " + (dir / "midi").string() + " --out " +
                                           (dir / "midi").string()),
                          "is a folder");
    // demo makes the folder it is told to write in, as `mkdir -p`; a file in the way is one line.
    std::ofstream(dir / "in-the-way") << "a file";
    expect_one_line_error(run_cli(dir, "demo --out-dir " + (dir / "in-the-way" / "demo").string()),
                          "in-the-way/demo: cannot make the folder: Not a directory");
}

TEST(Cli, DemoMakesItsFolderAndWritesTheWholeJob) {
    if (!std::filesystem::is_directory("/usr/share/doc/pianobooster") && !std::filesystem::is_directory("/usr/share/doc/mma"))
        GTEST_SKIP() << "the demo corpus (Debian's pianobooster and mma) is not installed";
    fixtures::TempDir dir;
    const std::filesystem::path out = dir / "new" / "demo";  // neither folder there yet
    const CliResult r = run_cli(dir, "demo --out-dir " + out.string() + " --minutes 0.05 --notes 20");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* file : {"demo.pianola", "demo.mid", "demo.wav", "demo.png"})
        EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
}

TEST(Cli, MidiCsvPrintsWhatTheReaderReadAndRefusesABrokenFile) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_command(dir, "midi csv " + (dir / "midi" / "a.mid").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, midi::midi_csv(midi::read_midi_file(dir / "midi" / "a.mid")));
    const CliResult broken = run_command(dir, "midi csv " + (dir / "midi" / "broken.mid").string());
    expect_one_line_error(broken, "broken.mid");
    EXPECT_EQ(broken.out, "");

    // A good file cut inside an event, and bytes that are no MIDI at all.
    const std::vector<std::uint8_t> good = read_file(dir / "midi" / "a.mid");
    write_file_atomically(dir / "cut.mid", std::span<const std::uint8_t>(good.data(), good.size() - 1));
    expect_one_line_error(run_command(dir, "midi csv " + (dir / "cut.mid").string()), "cut.mid");
    // Cut between two events: what is there is read, with one warning naming the file.
    write_file_atomically(dir / "short.mid", std::span<const std::uint8_t>(good.data(), good.size() / 2));
    const CliResult cut_between = run_command(dir, "midi csv " + (dir / "short.mid").string());
    EXPECT_EQ(cut_between.exit_code, 0) << cut_between.err;
    EXPECT_NE(cut_between.err.find("pianola: warning: " + (dir / "short.mid").string()), std::string::npos)
        << cut_between.err;
    write_file_atomically(dir / "noise.mid", std::string_view("\x8f\x03zq\xffMThd"));
    expect_one_line_error(run_command(dir, "midi csv " + (dir / "noise.mid").string()), "not a MIDI file");
}

TEST(Cli, BenchParsePrintsOneJsonLineFromMemoryAndOneFromDisk) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "bench parse --repeat 2 --data " + (dir / "midi").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::size_t newline = r.out.find('\n');
    ASSERT_NE(newline, std::string::npos) << r.out;
    const std::string memory = r.out.substr(0, newline), disk = r.out.substr(newline + 1);
    EXPECT_NE(memory.find("\"source\":\"memory\""), std::string::npos) << r.out;
    EXPECT_NE(disk.find("\"source\":\"disk\""), std::string::npos) << r.out;
    for (const std::string& line : {memory, disk})
        for (const char* field : {"\"files\":3", "\"failed\":1", "\"mb_per_s\":", "\"seconds\":", "\"events\":", "\"threads\":1"})
            EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
}

TEST(Cli, TokensComeFromTheTokenCacheTheSecondTime) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const std::string args = "tokens --json --data " + (dir / "midi").string() + " --token-cache " + (dir / "cache").string();
    const nlohmann::json cold = nlohmann::json::parse(run_cli(dir, args).out);
    const nlohmann::json warm = nlohmann::json::parse(run_cli(dir, args).out);
    EXPECT_EQ(cold.at("from_cache"), 0);
    EXPECT_EQ(warm.at("from_cache"), 3);  // the broken file's reason too
    for (const char* field : {"files", "tokens", "notes", "vocab", "skipped"}) EXPECT_EQ(cold.at(field), warm.at(field)) << field;
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "cache"), {}), 1);

    const CliResult text = run_cli(dir, "tokens --data " + (dir / "midi").string() + " --token-cache " + (dir / "cache").string());
    EXPECT_NE(text.out.find("(1 skipped; 3 from the token cache)"), std::string::npos) << text.out;
    const nlohmann::json uncached =
        nlohmann::json::parse(run_cli(dir, "tokens --json --no-token-cache --data " + (dir / "midi").string()).out);
    EXPECT_EQ(uncached.at("from_cache"), 0);
    EXPECT_EQ(uncached.at("tokens"), warm.at("tokens"));
    // A cache folder that cannot be made: one warning, and the corpus read as without a cache.
    const CliResult unwritable =
        run_cli(dir, "tokens --data " + (dir / "midi").string() + " --token-cache " + (dir / "midi" / "a.mid" / "cache").string());
    EXPECT_EQ(unwritable.exit_code, 0) << unwritable.err;
    EXPECT_NE(unwritable.err.find("warning: no token cache:"), std::string::npos) << unwritable.err;
}

TEST(Cli, BenchCorpusMultipliesAFolderAndLoadsItColdWarmAndChanged) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "bench corpus --files 250 --data " + (dir / "midi").string() + " --work-dir " + dir.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json line = nlohmann::json::parse(r.out);
    EXPECT_EQ(line.at("bench"), "corpus");
    EXPECT_EQ(line.at("files"), 250);
    EXPECT_EQ(line.at("source_files"), 2);  // the broken file is not multiplied
    EXPECT_EQ(line.at("tokenized_cold"), 250);
    EXPECT_EQ(line.at("tokenized_warm"), 0);
    EXPECT_EQ(line.at("changed_files"), 3);
    EXPECT_EQ(line.at("tokenized_changed"), 3);
    EXPECT_GT(line.at("tokens").get<double>(), 250 * 17 * 3);  // every piece holds 17 or 18 notes
    for (const char* field : {"cold_seconds", "warm_seconds", "changed_seconds", "peak_rss_mb", "cache_mb"})
        EXPECT_GT(line.at(field).get<double>(), 0) << field;
    // The made corpus is deleted again.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 3) << "midi, stdout, stderr";
}

TEST(Cli, TrainJsonPrintsOneLinePerEpochAndResumeGoesOn) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const std::string train = "train --preset tiny --json --data " + (dir / "midi").string() + " --out " +
                              (dir / "m.pianola").string();
    const CliResult first = run_cli(dir, train + " --epochs 2");
    ASSERT_EQ(first.exit_code, 0) << first.err;
    std::vector<nlohmann::json> lines;
    std::istringstream out(first.out);
    for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(lines.size(), 3u) << first.out;  // two epochs and the summary
    EXPECT_EQ(lines[0].at("epoch"), 1);
    EXPECT_TRUE(lines[0].at("validation").at("bits_per_token").is_number());
    EXPECT_TRUE(lines[0].at("tokens_per_s").is_number());
    EXPECT_EQ(lines[2].at("summary"), true);
    EXPECT_TRUE(std::filesystem::exists(dir / "m.pianola.checkpoint"));

    const CliResult resumed = run_cli(dir, train + " --epochs 3 --resume");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(nlohmann::json::parse(resumed.out.substr(0, resumed.out.find('\n'))).at("epoch"), 3) << resumed.out;
    const CliResult other = run_cli(dir, train + " --epochs 3 --resume --layers 2");
    EXPECT_EQ(other.exit_code, 1);
    const std::string last_line = other.err.substr(other.err.rfind('\n', other.err.size() - 2) + 1);
    EXPECT_EQ(last_line.rfind("pianola: error: ", 0), 0u) << other.err;
    EXPECT_NE(last_line.find("another training (layers 1 -> 2)"), std::string::npos) << other.err;
    expect_one_line_error(run_cli(dir, "train --preset seed-tiny --window 4 --seq 3 --data " +
                                           (dir / "midi").string() + " --out " + (dir / "s.pianola").string()),
                          "--seq applies to next-token presets only");
}

namespace {

// The last line of `text`: a training's JSON summary, or the error a command ended with.
std::string last_line(const std::string& text) {
    const std::size_t end = text.find_last_not_of('\n');
    const std::size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

// Data-parallel training (c10d over Gloo): 2 workers of 4 rows each take exactly the steps of one
// process of 8 rows, so the two end with the same weights; either resumes the other's checkpoint.
TEST(Cli, TrainTwoWorkersEqualsOneProcessAtTwiceTheBatch) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    const std::string train = "train --preset tiny --json --no-token-cache --data " + (dir / "midi").string();
    const CliResult one = run_command(dir, train + " --epochs 2 --batch 8 --threads 1 --out " + (dir / "one.pianola").string());
    ASSERT_EQ(one.exit_code, 0) << one.err;
    // Buckets of 10 KB: the gradients summed in many pieces, most while the backward pass runs.
    const CliResult two = run_command(dir, train + " --epochs 2 --batch 4 --nproc 2 --threads 2 --dist-bucket-mb 0.01 --out " +
                                               (dir / "two.pianola").string());
    ASSERT_EQ(two.exit_code, 0) << two.err;
    EXPECT_EQ(std::count(two.out.begin(), two.out.end(), '\n'), 3) << two.out;  // rank 0's two epochs and summary only
    const nlohmann::json a = nlohmann::json::parse(last_line(one.out)), b = nlohmann::json::parse(last_line(two.out));
    EXPECT_NEAR(a.at("best_validation").at("nats_per_token").get<double>(),
                b.at("best_validation").at("nats_per_token").get<double>(), 1e-6);

    model::LoadedModel m1 = model::load_model(dir / "one.pianola"), m2 = model::load_model(dir / "two.pianola");
    EXPECT_EQ(m2.info.hyper.at("batch"), 8);
    const auto second = model::module_of(m2.net).named_parameters();
    for (const auto& p : model::module_of(m1.net).named_parameters())
        EXPECT_TRUE(torch::allclose(p.value(), second[p.key()], 1e-4, 1e-6)) << p.key();

    const CliResult resumed = run_command(dir, train + " --batch 8 --threads 1 --epochs 3 --resume --out " + (dir / "two.pianola").string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_EQ(nlohmann::json::parse(resumed.out.substr(0, resumed.out.find('\n'))).at("epoch"), 3) << resumed.out;
    // Where it trains: Debian's libtorch has no CUDA, so a GPU asked for is refused before the corpus is read.
    if (!torch::cuda::is_available())
        expect_one_line_error(run_command(dir, train + " --device cuda --out " + (dir / "g.pianola").string()), "--device cuda: ");
    expect_one_line_error(run_command(dir, train + " --device tpu --out " + (dir / "g.pianola").string()), "not a device");
    expect_one_line_error(run_command(dir, "train --preset seed-tiny --device cuda --data " + (dir / "midi").string() +
                                               " --out " + (dir / "s.pianola").string()),
                          "the seed presets train on the CPU");
    expect_one_line_error(run_command(dir, "train --preset seed-tiny --nproc 2 --data " + (dir / "midi").string() +
                                               " --out " + (dir / "s.pianola").string()),
                          "not the seed presets");
}

// A worker killed mid-run: the other ends at once with one line naming its rank (torchrun-style
// workers), or the launcher ends the rest and names the dead one (--nproc); the checkpoint of the
// last finished epoch still resumes.
TEST(Cli, AKilledWorkerEndsTheOthersWithOneLine) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    const std::string train = std::string(PIANOLA_BINARY) +
                              " train --preset tiny --epochs 100000 --patience 100000 --no-token-cache --data " +
                              (dir / "midi").string();
    const std::string script = fmt::format(R"sh(cd {dir} || exit 9
export MASTER_ADDR=127.0.0.1 MASTER_PORT={port} WORLD_SIZE=2
RANK=1 {train} --threads 1 --dist-timeout 20 --out m.pianola > r1.out 2> r1.err & r1=$!
RANK=0 {train} --threads 1 --dist-timeout 20 --out m.pianola > r0.out 2> r0.err & r0=$!
for i in $(seq 600); do [ -f m.pianola.checkpoint ] && break; sleep 0.1; done
kill -9 $r1; start=$(date +%s%N); wait $r0; rc=$?; echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" > torchrun.result
RANK=1 MASTER_PORT={unused_port} {train} --threads 1 --dist-timeout 2 --out u.pianola > u.out 2> u.err
unset MASTER_ADDR MASTER_PORT WORLD_SIZE
{train} --nproc 2 --threads 2 --out n.pianola > n.out 2> n.err & launcher=$!
for i in $(seq 600); do [ -f n.pianola.checkpoint ] && break; sleep 0.1; done
kill -9 $(pgrep -P $launcher | tail -n 1); wait $launcher; echo $? > nproc.result
)sh",
                                           fmt::arg("dir", dir.path().string()), fmt::arg("train", train),
                                           fmt::arg("port", 20000 + ::getpid() % 20000),
                                           fmt::arg("unused_port", 40000 + ::getpid() % 20000));
    std::ofstream(dir / "run.sh") << script;
    ASSERT_EQ(std::system(("bash " + (dir / "run.sh").string()).c_str()), 0);

    int rc = -1, milliseconds = -1;
    std::ifstream(dir / "torchrun.result") >> rc >> milliseconds;
    EXPECT_EQ(rc, 1);
    EXPECT_LT(milliseconds, 20000);  // within --dist-timeout, not a hang
    const std::string rank0 = last_line(slurp(dir / "r0.err"));
    EXPECT_EQ(rank0.rfind("pianola: error: rank 0: lost the other training processes", 0), 0u) << rank0;

    // No rank 0 to meet: one line naming the address, after --dist-timeout.
    const std::string alone = slurp(dir / "u.err");
    EXPECT_EQ(std::count(alone.begin(), alone.end(), '\n'), 1) << alone;
    EXPECT_EQ(alone.rfind("pianola: error: rank 1 could not join the training group at 127.0.0.1:", 0), 0u) << alone;

    std::ifstream(dir / "nproc.result") >> rc;
    EXPECT_EQ(rc, 1);
    const std::string launcher = last_line(slurp(dir / "n.err"));
    EXPECT_EQ(launcher.rfind("pianola: error: training worker rank ", 0), 0u) << launcher;
    EXPECT_NE(launcher.find("the other workers were stopped"), std::string::npos) << launcher;

    // The checkpoint rank 0 wrote at its last finished epoch resumes in one process (4 rows x 2).
    const CliResult resumed = run_command(dir, "train --preset tiny --epochs 1 --patience 100000 --resume --batch 8 --threads 1 --no-token-cache --data " +
                                                   (dir / "midi").string() + " --out " + (dir / "m.pianola").string());
    EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

// Ctrl-C (SIGINT) ends a training as a spent budget does: the best model kept and calibrated, the
// checkpoint written, exit status 0, and --resume goes on from it. The studio's stop is this signal.
TEST(Cli, CtrlCStopsTrainingCleanlyAndResumeGoesOn) {
    fixtures::TempDir dir;
    write_rhythmic_corpus(dir / "midi");
    const std::string train = std::string(PIANOLA_BINARY) +
                              " train --preset tiny --epochs 100000 --patience 100000 --threads 1 --no-token-cache"
                              " --calibration-minutes 0.05 --json --out m.pianola --data " + (dir / "midi").string();
    std::ofstream(dir / "run.sh") << fmt::format(R"sh(cd {dir} || exit 9
{train} > train.out 2> train.err & pid=$!
for i in $(seq 600); do [ -f m.pianola.checkpoint ] && break; sleep 0.1; done
kill -INT $pid; wait $pid; echo $? > train.result
)sh", fmt::arg("dir", dir.path().string()), fmt::arg("train", train));
    ASSERT_EQ(std::system(("bash " + (dir / "run.sh").string()).c_str()), 0);
    int rc = -1;
    std::ifstream(dir / "train.result") >> rc;
    EXPECT_EQ(rc, 0) << slurp(dir / "train.err");
    const nlohmann::json summary = nlohmann::json::parse(last_line(slurp(dir / "train.out")));
    EXPECT_EQ(summary.at("stopped_by_request"), true) << summary.dump();
    EXPECT_NE(slurp(dir / "train.err").find("stopped on request"), std::string::npos);
    const nlohmann::json kept = model::load_model(dir / "m.pianola").info.training;
    EXPECT_TRUE(kept.contains("top_p")) << "the kept model is calibrated: " << kept.dump();
    const CliResult resumed = run_cli(dir, "train --preset tiny --epochs 100000 --patience 100000 --no-token-cache --resume "
                                           "--max-minutes 0.01 --calibration-minutes 0.01 --json --out " +
                                           (dir / "m.pianola").string() + " --data " + (dir / "midi").string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_GT(nlohmann::json::parse(resumed.out.substr(0, resumed.out.find('\n'))).at("epoch").get<int>(), 1)
        << "it went on from the checkpoint";
}

// evaluate hears a pedalled piece as played (its notes ringing) and still reports how much of it
// the pedal holds: 8 quarter notes (96 ticks a beat, 0.5 s), the pedal down over the first 4 beats.
TEST(Cli, EvaluateReportsThePedalUseAndTempoOfAPieceHeardAsPlayed) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    fixtures::write_melody(dir / "plain.mid", {60, 62, 64, 65, 67, 65, 64, 62});
    midi::MidiFile file = midi::read_midi_file(dir / "plain.mid");
    midi::Track& track = file.tracks.back();
    track.add_channel_event(0, midi::status::control_change, 64, 127);
    track.add_channel_event(4 * 96, midi::status::control_change, 64, 0);
    fixtures::add_tempo(track, 2 * 96, 400000);
    fixtures::add_tempo(track, 5 * 96, 750000);
    std::stable_sort(track.events.begin(), track.events.end(),
                     [](const midi::Event& a, const midi::Event& b) { return a.tick < b.tick; });
    midi::write_midi_file(dir / "pedalled.mid", file);
    const CliResult r = run_cli(dir, "evaluate --json " + (dir / "pedalled.mid").string() + " --data " + (dir / "midi").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The tempo goes from the written 120 BPM to 150 at beat 2 and to 80 at beat 5: two changes,
    // 750000 us a quarter against 400000. The pedal holds beats 0-4 of the 7 + 90/96 from the first
    // onset to the last note's end, in seconds: 2 x 0.5 + 2 x 0.4 of 2 x 0.5 + 3 x 0.4 + (2 + 90/96) x 0.75.
    const nlohmann::json piece = nlohmann::json::parse(r.out).at("composed")[0];
    EXPECT_NEAR(piece.at("pedal_share").get<double>(), 1.8 / (2.2 + (2 + 90.0 / 96) * 0.75), 1e-12);
    EXPECT_EQ(piece.at("tempo_changes").get<int>(), 2);
    EXPECT_DOUBLE_EQ(piece.at("tempo_spread").get<double>(), 750000.0 / 400000.0);
}

TEST(Cli, BaselinePrintsEveryOrder) {
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    const CliResult r = run_cli(dir, "baseline --json --order 3 --val-split 0.5 --data " + (dir / "midi").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream out(r.out);
    int order = 0;
    for (std::string line; std::getline(out, line);) {
        const nlohmann::json j = nlohmann::json::parse(line);
        EXPECT_EQ(j.at("order"), ++order);
        EXPECT_GT(j.at("bits_per_token").get<double>(), 0.0);
    }
    EXPECT_EQ(order, 3);
}

TEST(Cli, BenchTrainPrintsThePeersFields) {
    fixtures::TempDir dir;
    for (const std::string recipe : {"lm", "seed"}) {
        const CliResult r = run_cli(dir, "bench train --recipe " + recipe +
                                             " --layers 1 --hidden 8 --vocab 20 --batch 4 --seq 5 --steps 2");
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const nlohmann::json j = nlohmann::json::parse(r.out);
        for (const char* field : {"peer", "torch", "recipe", "threads", "layers", "hidden", "vocab", "batch", "seq",
                                  "sec_per_step", "samples_per_s", "gflops"})
            EXPECT_TRUE(j.contains(field)) << field << " in " << r.out;
        EXPECT_EQ(j.contains("tokens_per_s"), recipe == "lm") << r.out;
        EXPECT_EQ(j.at("threads"), 1);
    }
}

namespace {

bool soundfont_installed() {
    try {
        audio::find_soundfont();
        return true;
    } catch (const FileError&) {
        return false;
    }
}

// What a failed command may leave in `dir`: the inputs and the captured output, nothing else.
void expect_only(const fixtures::TempDir& dir, std::set<std::string> allowed) {
    allowed.insert({"stdout", "stderr"});
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        EXPECT_TRUE(allowed.count(entry.path().filename().string())) << "left behind: " << entry.path();
}

}  // namespace

TEST(Cli, RenderWritesAWavAndPlotAPngOfAMelody) {
    if (!soundfont_installed()) GTEST_SKIP() << "no General MIDI SoundFont (Debian: fluid-soundfont-gm)";
    fixtures::TempDir dir;
    fixtures::write_melody(dir / "a.mid", {60, 64, 67, 72});
    const CliResult r = run_command(dir, "render " + (dir / "a.mid").string() + " --out " + (dir / "a.wav").string() +
                                             " --rate 22050 --gain 6");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("22050 Hz"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("dBFS"), std::string::npos) << r.out;
    EXPECT_GT(std::filesystem::file_size(dir / "a.wav"), 22050u * 4 * 2);  // four quarters at 120 BPM: 2 s
    const CliResult p = run_command(dir, "plot " + (dir / "a.mid").string() + " --out " + (dir / "a.png").string() +
                                             " --width 640 --height 360");
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_NE(p.out.find("640x360"), std::string::npos) << p.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "a.png"));
}

TEST(Cli, RenderAndPlotRefuseBadInputInOneLineAndLeaveNoFile) {
    fixtures::TempDir dir;
    fixtures::write_melody(dir / "a.mid", {60, 62});
    write_file_atomically(dir / "broken.mid", std::string_view("MThd\0\0\0\6\0\1", 10));
    write_file_atomically(dir / "fake.sf2", std::string_view("RIFF, but no SoundFont"));
    const std::string out_wav = " --out " + (dir / "out.wav").string();
    const std::string out_png = " --out " + (dir / "out.png").string();

    expect_one_line_error(run_command(dir, "plot " + (dir / "missing.mid").string() + out_png), "missing.mid");
    expect_one_line_error(run_command(dir, "plot " + (dir / "broken.mid").string() + out_png), "broken.mid");
    expect_one_line_error(run_command(dir, "plot " + (dir / "a.mid").string() + " --out " +
                                               (dir / "no" / "such" / "a.png").string()),
                          "no such folder");
    expect_one_line_error(run_command(dir, "plot " + (dir / "a.mid").string() + out_png + " --width 10"), "--width");
    expect_one_line_error(run_command(dir, "render " + (dir / "a.mid").string() + out_wav + " --soundfont " +
                                               (dir / "none.sf2").string()),
                          "none.sf2");
    expect_one_line_error(run_command(dir, "render " + (dir / "a.mid").string() + " --out " +
                                               (dir / "no" / "a.wav").string()),
                          "no such folder");
    expect_one_line_error(run_command(dir, "render " + (dir / "a.mid").string() + out_wav + " --rate 1000"), "--rate");
    if (soundfont_installed()) {
        expect_one_line_error(run_command(dir, "render " + (dir / "missing.mid").string() + out_wav), "missing.mid");
        expect_one_line_error(run_command(dir, "render " + (dir / "broken.mid").string() + out_wav), "broken.mid");
    }
    expect_one_line_error(run_command(dir, "render " + (dir / "a.mid").string() + out_wav + " --soundfont " +
                                               (dir / "fake.sf2").string()),
                          "fake.sf2");
    expect_only(dir, {"a.mid", "broken.mid", "fake.sf2"});
}

TEST(Cli, GenerateAlsoRendersAndPlotsThePiece) {
    if (!soundfont_installed()) GTEST_SKIP() << "no General MIDI SoundFont (Debian: fluid-soundfont-gm)";
    fixtures::TempDir dir;
    write_corpus(dir / "midi");
    ASSERT_EQ(run_cli(dir, "train --preset tiny --epochs 1 --data " + (dir / "midi").string() + " --out " +
                               (dir / "m.pianola").string())
                  .exit_code,
              0);
    const CliResult g = run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --out " +
                                         (dir / "g.mid").string() + " --notes 8 --seed 2 --wav " +
                                         (dir / "g.wav").string() + " --png " + (dir / "g.png").string());
    ASSERT_EQ(g.exit_code, 0) << g.err;
    EXPECT_TRUE(std::filesystem::exists(dir / "g.mid"));
    EXPECT_GT(std::filesystem::file_size(dir / "g.wav"), 44u);
    EXPECT_GT(std::filesystem::file_size(dir / "g.png"), 8u);
    expect_one_line_error(run_cli(dir, "generate --model " + (dir / "m.pianola").string() + " --out " +
                                           (dir / "h.mid").string() + " --wav " + (dir / "no" / "h.wav").string()),
                          "no such folder");
    EXPECT_FALSE(std::filesystem::exists(dir / "h.mid")) << "refused before composing";
}

TEST(Cli, ServeRefusesAMissingModelsFolderAndAPortInUseInOneLine) {
    fixtures::TempDir dir;
    expect_one_line_error(run_cli(dir, "serve --port 0 --models " + (dir / "missing").string()),
                          "no such folder of models");
    expect_one_line_error(run_cli(dir, "serve --port 70000"), "--port");
}
