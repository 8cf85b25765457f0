// SeedTokenizer and Vocabulary: the original design's tokens from small MIDI files written in
// code (one test per rule of music21's reading), decoding tokens back to pitches and notes, and
// the id order the model file relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "midi/MidiFile.h"
#include "music/Score.h"
#include "music/SeedTokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::music {
namespace {

// Notes given as (tick, pitch, channel, track), in the Score's own order.
Score score_of(const std::vector<std::array<int, 4>>& notes) {
    Score score;
    for (const auto& [tick, pitch, channel, track] : notes) {
        Note n;
        n.start_tick = static_cast<std::uint32_t>(tick);
        n.end_tick = n.start_tick + 10;
        n.pitch = static_cast<std::uint8_t>(pitch);
        n.channel = static_cast<std::uint8_t>(channel);
        n.track = static_cast<std::uint16_t>(track);
        score.notes.push_back(n);
    }
    return score;
}

using Tokens = std::vector<std::string>;

// A note of a MIDI fixture: onset and length in ticks, key, channel.
struct FixtureNote {
    std::uint32_t tick, length;
    std::uint8_t pitch, channel = 0;
};

// One track of a MIDI fixture: program changes at tick 0 (none: no instrument), a time signature
// at tick 0 or not, and notes. Events go in tick order, note-offs before note-ons at one tick.
struct FixtureTrack {
    std::vector<std::uint8_t> programs;
    bool meter = false;
    std::vector<FixtureNote> notes;
};

Score score_of_midi(const std::vector<FixtureTrack>& tracks, std::uint16_t ticks_per_quarter = 480) {
    midi::MidiFile file;
    file.division = ticks_per_quarter;
    for (const FixtureTrack& spec : tracks) {
        midi::Track& track = file.tracks.emplace_back();
        if (spec.meter) {
            const std::array<std::uint8_t, 4> four_four = {4, 2, 24, 8};
            track.add_payload_event(0, midi::status::meta, midi::meta::time_signature, four_four);
        }
        for (std::uint8_t program : spec.programs) track.add_channel_event(0, midi::status::program_change, program);
        struct Pending {
            std::uint32_t tick;
            bool on;
            FixtureNote note;
        };
        std::vector<Pending> events;
        for (const FixtureNote& n : spec.notes) {
            events.push_back({n.tick, true, n});
            events.push_back({n.tick + n.length, false, n});
        }
        std::stable_sort(events.begin(), events.end(), [](const Pending& a, const Pending& b) {
            return a.tick != b.tick ? a.tick < b.tick : a.on < b.on;
        });
        for (const Pending& e : events)  // a note-on of velocity 0 is how most files release a key
            track.add_channel_event(e.tick, midi::status::note_on | e.note.channel, e.note.pitch, e.on ? 80 : 0);
    }
    return score_from_midi(file);
}

Tokens seed_tokens(const std::vector<FixtureTrack>& tracks) { return SeedTokenizer().tokenize(score_of_midi(tracks)); }

TEST(SeedTokenizer, NamesNotesAndNormalOrdersChords) {
    EXPECT_EQ(seed_tokens({{{}, false, {{0, 480, 60}, {480, 480, 61},
                                        {960, 480, 60}, {960, 480, 64}, {960, 480, 67},        // C major
                                        {1440, 480, 62}, {1440, 480, 65}, {1440, 480, 71},     // B diminished
                                        {1920, 480, 48}, {1920, 480, 60},                      // octaves
                                        {2400, 480, 60}, {2400, 480, 60, 1}}}}),               // one key twice
              (Tokens{"C4", "C#4", "0.4.7", "11.2.5", "0", "0"}));
}

// midiTrackToStream: a chord is notes of one track starting within a sixteenth of a quarter of
// the first AND ending within as much of its end; notes of two tracks never make a chord.
TEST(SeedTokenizer, ChordsAreMadeWithinOneTrackOnly) {
    EXPECT_EQ(seed_tokens({{{}, false, {{0, 480, 60}, {30, 450, 64}}},  // 30 ticks = 480 / 16: one chord
                           {{}, false, {{0, 480, 67}}}}),
              (Tokens{"0.4", "G4"}));
    EXPECT_EQ(seed_tokens({{{}, false, {{0, 480, 60}, {31, 480, 64}}}}), (Tokens{"C4", "E4"}));
    // Starting together but ending apart: two notes, in file order.
    EXPECT_EQ(seed_tokens({{{}, false, {{0, 960, 60}, {0, 480, 64}, {0, 960, 67}}}}), (Tokens{"7.0", "E4"}));
}

// Stream.quantize (divisors 4 and 3) snaps offsets before the tracks are merged: notes snapped to
// one offset come in track order, whatever their ticks were.
TEST(SeedTokenizer, OrdersByQuantizedOffsetThenTrack) {
    EXPECT_EQ(seed_tokens({{{}, false, {{250, 100, 60}}}, {{}, false, {{235, 100, 62}}}}), (Tokens{"C4", "D4"}));
    EXPECT_EQ(seed_tokens({{{}, false, {{300, 100, 60}}}, {{}, false, {{235, 100, 62}}}}), (Tokens{"D4", "C4"}));
}

// partitionByInstrument(...).parts[0]: the first instrument's group only; tracks without a program
// change have no instrument and drop out, unless no track has one (score.flat.notes then).
TEST(SeedTokenizer, KeepsTheFirstInstrumentsTracks) {
    EXPECT_EQ(seed_tokens({{{0}, false, {{0, 480, 60}}}, {{40}, false, {{0, 480, 62}}}, {{0}, false, {{480, 480, 64}}},
                           {{}, false, {{0, 480, 65}}}}),
              (Tokens{"C4", "E4"}));
    EXPECT_EQ(seed_tokens({{{}, false, {{0, 480, 60}}}, {{}, false, {{0, 480, 62}}}}), (Tokens{"C4", "D4"}));
}

// Two equal program changes at one offset with a time signature there: partitionByInstrument
// inserts the time signature twice, music21 raises, and the original program read every note.
TEST(SeedTokenizer, ARaisingPartitionFallsBackToAllNotes) {
    const std::vector<FixtureNote> notes = {{0, 480, 60}};
    EXPECT_EQ(seed_tokens({{{0, 0}, true, notes}, {{40}, false, {{0, 480, 62}}}}), (Tokens{"C4", "D4"}));
    EXPECT_EQ(seed_tokens({{{0, 0}, false, notes}, {{40}, false, {{0, 480, 62}}}}), (Tokens{"C4"}));
}

// getNotesFromEvents: a note never released is dropped; drums are notes like any other (music21 5.x).
TEST(SeedTokenizer, DropsUnreleasedNotesAndKeepsDrums) {
    Score score = score_of_midi({{{}, false, {{0, 480, 60}, {480, 480, 36, drum_channel}}}});
    score.notes.front().unreleased = true;
    EXPECT_EQ(SeedTokenizer().tokenize(score), (Tokens{"C2"}));
    EXPECT_TRUE(SeedTokenizer().tokenize(Score{}).empty());
}

TEST(SeedTokenizer, PitchesOfNotesAndChords) {
    const SeedTokenizer tokenizer;
    EXPECT_EQ(tokenizer.pitches_of("C#4"), (std::vector<std::uint8_t>{61}));
    EXPECT_EQ(tokenizer.pitches_of("E--1"), (std::vector<std::uint8_t>{3}));
    EXPECT_EQ(tokenizer.pitches_of("0"), (std::vector<std::uint8_t>{60}));
    EXPECT_EQ(tokenizer.pitches_of("0.4.7"), (std::vector<std::uint8_t>{60, 64, 67}));
    EXPECT_EQ(tokenizer.pitches_of("11.2.5"), (std::vector<std::uint8_t>{71, 62, 65}));
}

TEST(SeedTokenizer, RejectsMalformedTokens) {
    const SeedTokenizer tokenizer;
    for (const char* token : {"", "H4", "C#10", "12", "0..4", ".4", "4.", "0.0", "01", "-1", "1.x", "0.4.7 "})
        EXPECT_THROW(tokenizer.pitches_of(token), std::invalid_argument) << '"' << token << '"';
}

TEST(SeedTokenizer, ComposesOneStepPerToken) {
    const Score score = SeedTokenizer().compose_score({"C4", "11.2.5", "E-2"}, 480, 240, 500'000);
    EXPECT_EQ(score.ticks_per_quarter, 480);
    EXPECT_EQ(score.tempo_us, 500'000u);
    std::vector<std::array<int, 3>> notes;
    for (const Note& n : score.notes) {
        notes.push_back({static_cast<int>(n.start_tick), static_cast<int>(n.end_tick), n.pitch});
        EXPECT_EQ(n.channel, 0);
        EXPECT_EQ(n.velocity, 90);
        EXPECT_DOUBLE_EQ(n.end_s - n.start_s, 0.25);
    }
    EXPECT_EQ(notes, (std::vector<std::array<int, 3>>{
                         {0, 240, 60}, {240, 480, 62}, {240, 480, 65}, {240, 480, 71}, {480, 720, 39}}));
    EXPECT_DOUBLE_EQ(score.notes.back().start_s, 0.5);
}

TEST(SeedTokenizer, ComposedTokensTokenizeBackToThemselves) {
    const Tokens tokens = {"C4", "0.4.7", "G#2", "11.2.5", "4.6.10.0", "B-7"};
    const SeedTokenizer tokenizer;
    EXPECT_EQ(tokenizer.tokenize(tokenizer.compose_score(tokens, 96, 48, 500'000)), tokens);
}

TEST(SeedTokenizer, TransposingTokensEqualsTokenizingTheTransposedScore) {
    const std::vector<std::array<int, 4>> notes = {{0, 60, 0, 0}, {10, 61, 0, 0}, {20, 62, 0, 0}, {20, 65, 0, 0},
                                                   {20, 71, 0, 0}, {30, 48, 0, 0}, {30, 60, 0, 0}, {40, 127, 0, 0}};
    const SeedTokenizer tokenizer;
    const Tokens tokens = tokenizer.tokenize(score_of(notes));
    for (int shift = -6; shift <= 6; ++shift) {
        std::vector<std::array<int, 4>> moved = notes;
        for (auto& note : moved) note[1] += shift;
        if (shift > 0) moved.pop_back();  // 127 + shift is no MIDI pitch
        const Tokens expected = tokenizer.tokenize(score_of(moved));
        for (std::size_t i = 0; i < expected.size(); ++i)
            EXPECT_EQ(tokenizer.transpose(tokens[i], shift), expected[i]) << tokens[i] << " by " << shift;
    }
    EXPECT_EQ(tokenizer.transpose("G9", 1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("C-1", -1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("11.2.5", 1), "0.3.6");
    EXPECT_THROW(tokenizer.transpose("H4", 1), std::invalid_argument);
}

TEST(SeedTokenizer, ComposeRejectsZeroTiming) {
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 0, 240, 500'000), std::invalid_argument);
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 480, 0, 500'000), std::invalid_argument);
    EXPECT_THROW(SeedTokenizer().compose_score({"C4"}, 480, 240, 0), std::invalid_argument);
}

TEST(Vocabulary, IdsAreRanksInByteOrder) {
    const Vocabulary vocabulary(Tokens{"C4", "0.4.7", "C4", "B-3", "11.2.5", "C#4"});
    EXPECT_EQ(vocabulary.tokens(), (Tokens{"0.4.7", "11.2.5", "B-3", "C#4", "C4"}));
    EXPECT_EQ(vocabulary.size(), 5u);
    EXPECT_EQ(vocabulary.id("0.4.7"), 0);
    EXPECT_EQ(vocabulary.id("C4"), 4);
    EXPECT_EQ(vocabulary.token(2), "B-3");
    EXPECT_TRUE(vocabulary.contains("C#4"));
    EXPECT_FALSE(vocabulary.contains("D4"));
    EXPECT_EQ(vocabulary.encode({"C4", "C4", "B-3"}), (std::vector<std::int64_t>{4, 4, 2}));
}

TEST(Vocabulary, UnknownTokensAndIdsThrow) {
    const Vocabulary vocabulary(Tokens{"C4"});
    EXPECT_THROW(vocabulary.id("D4"), std::out_of_range);
    EXPECT_THROW(vocabulary.encode({"C4", "D4"}), std::out_of_range);
    EXPECT_THROW(vocabulary.token(1), std::out_of_range);
    EXPECT_EQ(Vocabulary().size(), 0u);
}

}  // namespace
}  // namespace pianola::music
