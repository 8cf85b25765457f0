// Score: note pairing, programs, timing and the file written back. Fixtures are MidiFiles built
// event by event, so each test shows exactly the events it is about.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

#include "TestFiles.h"
#include "midi/MidiFile.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "music/Score.h"

namespace pianola::music {
namespace {

using midi::status::note_off;
using midi::status::note_on;
using midi::status::program_change;

void end_track(midi::Track& track, std::uint32_t tick) {
    track.add_payload_event(tick, midi::status::meta, midi::meta::end_of_track, {});
}

midi::MidiFile one_track_file() {
    midi::MidiFile file;
    file.format = 0;
    file.division = 480;
    file.tracks.emplace_back();
    return file;
}

struct Span {
    std::uint32_t start, end;
    std::uint8_t pitch;
    bool operator==(const Span&) const = default;
};

std::vector<Span> spans(const Score& score) {
    std::vector<Span> out;
    for (const Note& n : score.notes) out.push_back({n.start_tick, n.end_tick, n.pitch});
    return out;
}

TEST(ScoreFromMidi, PairsRestruckNotesFirstInFirstOut) {
    midi::MidiFile file = one_track_file();
    midi::Track& t = file.tracks[0];
    t.add_channel_event(0, note_on, 60, 100);
    t.add_channel_event(10, note_on, 60, 80);
    t.add_channel_event(20, note_off, 60, 0);
    t.add_channel_event(30, note_on, 60, 0);  // velocity 0 ends a note too
    end_track(t, 40);

    const Score score = score_from_midi(file);
    EXPECT_EQ(spans(score), (std::vector<Span>{{0, 20, 60}, {10, 30, 60}}));
    EXPECT_EQ(score.notes[0].velocity, 100);
    EXPECT_EQ(score.notes[1].velocity, 80);
}

TEST(ScoreFromMidi, PairsOnlyTheSameChannelAndTrack) {
    midi::MidiFile file = one_track_file();
    file.format = 1;
    file.tracks.resize(2);
    file.tracks[0].add_channel_event(0, note_on | 1, 64, 90);
    file.tracks[0].add_channel_event(5, note_off, 64, 0);  // channel 0: no note to end
    file.tracks[0].add_channel_event(50, note_off | 1, 64, 0);
    end_track(file.tracks[0], 60);
    file.tracks[1].add_channel_event(0, note_on | 1, 64, 90);
    file.tracks[1].add_channel_event(20, note_off | 1, 64, 0);
    end_track(file.tracks[1], 60);

    const Score score = score_from_midi(file);
    ASSERT_EQ(score.notes.size(), 2u);
    EXPECT_EQ(score.notes[0].track, 0);
    EXPECT_EQ(score.notes[0].end_tick, 50u);
    EXPECT_EQ(score.notes[0].channel, 1);
    EXPECT_EQ(score.notes[1].track, 1);
    EXPECT_EQ(score.notes[1].end_tick, 20u);
}

TEST(ScoreFromMidi, IgnoresKeysAbove127) {
    // The reader keeps data bytes with bit 7 set (as midicsv does); channel 15 and key 255 once
    // indexed past the per-pitch queues.
    midi::MidiFile file = one_track_file();
    file.tracks[0].add_channel_event(0, note_on | 15, 255, 90);
    file.tracks[0].add_channel_event(0, note_on | 15, 200, 90);
    file.tracks[0].add_channel_event(0, note_on | 15, 64, 90);
    file.tracks[0].add_channel_event(10, note_off | 15, 255, 0);
    file.tracks[0].add_channel_event(20, note_off | 15, 64, 0);
    end_track(file.tracks[0], 30);
    EXPECT_EQ(spans(score_from_midi(file)), (std::vector<Span>{{0, 20, 64}}));
}

TEST(ScoreFromMidi, UnclosedNoteEndsAtItsTracksLastEvent) {
    midi::MidiFile file = one_track_file();
    file.tracks[0].add_channel_event(100, note_on, 62, 90);
    file.tracks[0].add_channel_event(300, midi::status::control_change, 64, 0);
    end_track(file.tracks[0], 500);
    EXPECT_EQ(spans(score_from_midi(file)), (std::vector<Span>{{100, 500, 62}}));
}

TEST(ScoreFromMidi, SortsByTickThenPitchThenTrackThenChannel) {
    midi::MidiFile file = one_track_file();
    file.format = 1;
    file.tracks.resize(2);
    file.tracks[0].add_channel_event(10, note_on | 2, 60, 90);
    file.tracks[0].add_channel_event(10, note_on | 1, 60, 90);
    file.tracks[0].add_channel_event(10, note_on, 72, 90);
    end_track(file.tracks[0], 20);
    file.tracks[1].add_channel_event(0, note_on, 67, 90);
    file.tracks[1].add_channel_event(10, note_on, 55, 90);
    file.tracks[1].add_channel_event(10, note_on, 60, 90);
    end_track(file.tracks[1], 20);

    const Score score = score_from_midi(file);
    std::vector<std::array<int, 4>> order;
    for (const Note& n : score.notes) order.push_back({static_cast<int>(n.start_tick), n.pitch, n.track, n.channel});
    EXPECT_EQ(order, (std::vector<std::array<int, 4>>{
                         {0, 67, 1, 0}, {10, 55, 1, 0}, {10, 60, 0, 1}, {10, 60, 0, 2}, {10, 60, 1, 0}, {10, 72, 0, 0}}));
}

TEST(ScoreFromMidi, KeepsDrums) {
    midi::MidiFile file = one_track_file();
    file.tracks[0].add_channel_event(0, note_on | drum_channel, 36, 100);
    file.tracks[0].add_channel_event(10, note_off | drum_channel, 36, 0);
    end_track(file.tracks[0], 10);
    const Score score = score_from_midi(file);
    ASSERT_EQ(score.notes.size(), 1u);
    EXPECT_EQ(score.notes[0].channel, drum_channel);
}

TEST(ScoreFromMidi, ProgramIsTheLastChangeOnTheChannelFromAnyTrack) {
    midi::MidiFile file = one_track_file();
    file.format = 1;
    file.tracks.resize(2);
    file.tracks[0].add_channel_event(0, program_change, 40);       // violin, set in the meta track
    file.tracks[0].add_channel_event(200, program_change, 41);     // viola from tick 200 on
    file.tracks[0].add_channel_event(0, program_change | 3, 73);   // another channel: no effect
    end_track(file.tracks[0], 200);
    midi::Track& notes = file.tracks[1];
    for (std::uint32_t tick : {0u, 100u, 200u, 300u}) {
        notes.add_channel_event(tick, note_on, 60, 90);
        notes.add_channel_event(tick + 50, note_off, 60, 0);
    }
    notes.add_channel_event(0, note_on | 5, 48, 90);  // channel 5 never changes program
    notes.add_channel_event(400, note_off | 5, 48, 0);
    end_track(notes, 400);

    const Score score = score_from_midi(file);
    std::vector<int> programs;
    for (const Note& n : score.notes) programs.push_back(n.program);
    EXPECT_EQ(programs, (std::vector<int>{0, 40, 40, 41, 41}));  // (0, 48) sorts first
}

TEST(ScoreFromMidi, TimesNotesAcrossTempoChanges) {
    midi::MidiFile file = one_track_file();
    midi::Track& t = file.tracks[0];
    fixtures::add_tempo(t, 0, 1'000'000);  // 60 BPM: a quarter (480 ticks) is one second
    fixtures::add_tempo(t, 480, 500'000);  // then 120 BPM
    t.add_channel_event(480, note_on, 60, 90);
    t.add_channel_event(960, note_off, 60, 0);
    end_track(t, 960);

    const Score score = score_from_midi(file);
    EXPECT_EQ(score.ticks_per_quarter, 480);
    EXPECT_EQ(score.tempo_us, 1'000'000u);
    ASSERT_EQ(score.notes.size(), 1u);
    EXPECT_DOUBLE_EQ(score.notes[0].start_s, 1.0);
    EXPECT_DOUBLE_EQ(score.notes[0].end_s, 1.5);
}

TEST(Score, KeepsTheTempoMapThroughMidiAndScalesItFromAStartTempo) {
    midi::MidiFile file = one_track_file();
    midi::Track& t = file.tracks[0];
    fixtures::add_tempo(t, 0, 1'000'000);
    t.add_channel_event(0, note_on, 60, 90);
    fixtures::add_tempo(t, 480, 500'000);
    fixtures::add_tempo(t, 960, 500'000);  // the same tempo again: no change
    t.add_channel_event(960, note_off, 60, 0);
    t.add_channel_event(960, note_on, 62, 90);
    fixtures::add_tempo(t, 1440, 250'000);
    t.add_channel_event(1920, note_off, 62, 0);
    end_track(t, 1920);

    const Score score = score_from_midi(file);
    EXPECT_EQ(score.tempo_us, 1'000'000u);
    EXPECT_EQ(score.tempos, (std::vector<TempoChange>{{480, 500'000}, {1440, 250'000}}));
    const Score back = score_from_midi(midi::read_midi(midi::write_midi(midi_from_score(score)), "round trip"));
    EXPECT_EQ(back.tempo_us, score.tempo_us);
    EXPECT_EQ(back.tempos, score.tempos);
    ASSERT_EQ(back.notes.size(), 2u);
    EXPECT_DOUBLE_EQ(back.notes[1].start_s, 1.5);  // a beat at 60, one at 120
    EXPECT_DOUBLE_EQ(back.notes[1].end_s, 2.0 + 0.25);

    Score faster = score;
    set_start_tempo(faster, 500'000);  // twice as fast throughout
    EXPECT_EQ(faster.tempos, (std::vector<TempoChange>{{480, 250'000}, {1440, 125'000}}));
    EXPECT_DOUBLE_EQ(faster.notes[1].start_s, 0.75);
    EXPECT_THROW(set_start_tempo(faster, 0), std::invalid_argument);
    Score disordered = score;
    std::swap(disordered.tempos[0], disordered.tempos[1]);
    EXPECT_THROW(midi_from_score(disordered), std::invalid_argument);
    disordered.tempos = {{480, 0x1000000}};
    EXPECT_THROW(midi_from_score(disordered), std::invalid_argument);
}

// A piano on channel 0 and a bass on channel 1 (both at program 0 in the score, the bass given
// program 33), the pedal on channel 1: written on the bass's channel only, after the notes of its
// tick. A score whose pitched notes are all on channel 0 (a decoded one) pedals every instrument.
TEST(Score, WritesTheSustainPedalToTheInstrumentsOfItsChannel) {
    Score score;
    for (std::uint32_t k = 0; k < 4; ++k) {
        Note piano;
        piano.start_tick = k * 480;
        piano.end_tick = piano.start_tick + 240;
        score.notes.push_back(piano);
        Note bass = piano;
        bass.pitch = 36;
        bass.channel = 1;
        bass.program = 33;
        score.notes.push_back(bass);
    }
    score.pedals = {{0, 0, 1, true}, {960, 0, 1, false}, {960, 0, 1, true}, {1920, 0, 1, false}};
    const auto pedal_events = [](const midi::MidiFile& file) {
        std::vector<std::array<std::uint32_t, 4>> found;  // (track, tick, channel, value)
        for (std::size_t t = 0; t < file.tracks.size(); ++t)
            for (const midi::Event& e : file.tracks[t].events)
                if (e.kind() == midi::status::control_change && e.d1 == 64)
                    found.push_back({static_cast<std::uint32_t>(t), e.tick, e.channel(), e.d2});
        return found;
    };
    const midi::MidiFile file = midi_from_score(score);
    ASSERT_EQ(file.tracks.size(), 3u);  // tempo, piano (channel 0), bass (channel 1)
    EXPECT_EQ(pedal_events(file), (std::vector<std::array<std::uint32_t, 4>>{
                                      {2, 0, 1, 127}, {2, 960, 1, 0}, {2, 960, 1, 127}, {2, 1920, 1, 0}}));
    time_in_seconds(score);
    const Score back = score_from_midi(midi::read_midi(midi::write_midi(file), "round trip"));
    EXPECT_EQ(back.pedals, score.pedals);

    for (Note& n : score.notes) n.channel = 0;
    for (PedalChange& p : score.pedals) p.channel = 0;
    EXPECT_EQ(pedal_events(midi_from_score(score)).size(), 8u) << "the piano's and the bass' channel";
    EXPECT_EQ(pedal_events(midi_from_score(score, 0)).size(), 4u) << "one instrument";
}

TEST(ScoreFromMidi, SmpteQuarterIsOneSecond) {
    midi::MidiFile file = one_track_file();
    file.division = static_cast<std::uint16_t>((0x100 - 25) << 8 | 40);  // 25 fps, 40 ticks per frame
    file.tracks[0].add_channel_event(1000, note_on, 60, 90);
    file.tracks[0].add_channel_event(1500, note_off, 60, 0);
    end_track(file.tracks[0], 1500);

    const Score score = score_from_midi(file);
    EXPECT_EQ(score.ticks_per_quarter, 1000);
    EXPECT_EQ(score.tempo_us, 1'000'000u);
    ASSERT_EQ(score.notes.size(), 1u);
    EXPECT_DOUBLE_EQ(score.notes[0].start_s, 1.0);
    EXPECT_DOUBLE_EQ(score.notes[0].end_s, 1.5);

    file.division = static_cast<std::uint16_t>((0x100 - 29) << 8 | 40);  // 29.97 fps drop-frame
    const Score drop_frame = score_from_midi(file);
    EXPECT_EQ(drop_frame.ticks_per_quarter, 1200);
    EXPECT_EQ(drop_frame.tempo_us, 1'001'000u);
    const double seconds_per_tick = drop_frame.tempo_us / 1e6 / drop_frame.ticks_per_quarter;
    EXPECT_NEAR(drop_frame.notes[0].start_s, 1000 * seconds_per_tick, 1e-12);
}

Note make_note(std::uint32_t start, std::uint32_t end, std::uint8_t pitch, std::uint8_t channel = 0) {
    Note n;
    n.start_tick = start;
    n.end_tick = end;
    n.pitch = pitch;
    n.velocity = 77;
    n.channel = channel;
    return n;
}

TEST(MidiFromScore, WritesTempoTrackThenATrackPerInstrument) {
    Score score;
    score.ticks_per_quarter = 96;
    score.tempo_us = 600'000;
    score.notes = {make_note(0, 96, 60), make_note(96, 192, 60), make_note(96, 192, 36, drum_channel)};

    const midi::MidiFile file = midi_from_score(score, 19);
    EXPECT_EQ(file.format, 1);
    EXPECT_EQ(file.division, 96);
    ASSERT_EQ(file.tracks.size(), 3u);

    const midi::Track& meta = file.tracks[0];
    ASSERT_EQ(meta.events.size(), 3u);
    EXPECT_TRUE(meta.events[0].is_meta(midi::meta::tempo));
    const auto tempo = meta.payload_of(meta.events[0]);
    EXPECT_EQ(std::vector<std::uint8_t>(tempo.begin(), tempo.end()), (std::vector<std::uint8_t>{0x09, 0x27, 0xC0}));
    EXPECT_TRUE(meta.events[1].is_meta(midi::meta::time_signature));
    EXPECT_TRUE(meta.events[2].is_meta(midi::meta::end_of_track));

    const auto name_of = [&](std::size_t track) {
        const midi::Track& t = file.tracks[track];
        EXPECT_TRUE(t.events.at(0).is_meta(midi::meta::track_name));
        const auto bytes = t.payload_of(t.events.at(0));
        return std::string(bytes.begin(), bytes.end());
    };
    EXPECT_EQ(name_of(1), "Church Organ") << "General MIDI's program 19";
    const std::vector<midi::Event>& e = file.tracks[1].events;
    ASSERT_EQ(e.size(), 7u);
    EXPECT_EQ(e[1].status, program_change);
    EXPECT_EQ(e[1].d1, 19);
    // At tick 96 the first C4 is released before the second is struck.
    EXPECT_TRUE(e[2].is_note_on() && e[2].tick == 0);
    EXPECT_TRUE(e[3].is_note_off() && e[3].tick == 96 && e[3].d1 == 60);
    EXPECT_TRUE(e[4].is_note_on() && e[4].tick == 96);
    EXPECT_EQ(e[4].status, note_on | 0);
    EXPECT_EQ(e[4].d2, 77);
    EXPECT_TRUE(e[5].is_note_off() && e[5].tick == 192);
    EXPECT_TRUE(e[6].is_meta(midi::meta::end_of_track));
    EXPECT_EQ(e[6].tick, 192u);
    // The drums: a track of their own on channel 10, no program.
    EXPECT_EQ(name_of(2), "Drums");
    const std::vector<midi::Event>& d = file.tracks[2].events;
    ASSERT_EQ(d.size(), 4u);
    EXPECT_EQ(d[1].status, note_on | drum_channel);
    EXPECT_TRUE(d[1].tick == 96 && d[2].is_note_off() && d[2].tick == 192 && d[3].is_meta(midi::meta::end_of_track));
}

TEST(MidiFromScore, GivesEachProgramItsChannelAndFoldsTheSixteenthIntoTheFifteenth) {
    Score score;
    for (int p = 0; p < 17; ++p) {
        Note n = make_note(static_cast<std::uint32_t>(10 * p), static_cast<std::uint32_t>(10 * p + 5), 60);
        n.program = static_cast<std::uint8_t>(40 + p);
        score.notes.push_back(n);
    }
    const Score back = score_from_midi(midi::read_midi(midi::write_midi(midi_from_score(score)), "band"));
    ASSERT_EQ(back.notes.size(), 17u);
    for (int p = 0; p < 17; ++p) {
        const Note& n = back.notes[static_cast<std::size_t>(p)];
        const int channel = p < 9 ? p : p < 15 ? p + 1 : 15;  // channel 9 is the drums'
        EXPECT_EQ(n.channel, channel) << p;
        EXPECT_EQ(n.program, p < 15 ? 40 + p : 54) << p;
    }
}

TEST(MidiFromScore, RoundTripsThroughBytes) {
    Score score;
    score.ticks_per_quarter = 480;
    score.tempo_us = 400'000;
    score.notes = {make_note(0, 480, 60), make_note(0, 240, 64), make_note(240, 240, 67),  // zero length
                   make_note(240, 720, 64), make_note(480, 960, 42, drum_channel)};
    const Score back = score_from_midi(midi::read_midi(midi::write_midi(midi_from_score(score)), "round trip"));

    EXPECT_EQ(back.ticks_per_quarter, 480);
    EXPECT_EQ(back.tempo_us, 400'000u);
    ASSERT_EQ(back.notes.size(), score.notes.size());
    std::vector<Span> expected = spans(score);
    std::sort(expected.begin(), expected.end(), [](const Span& a, const Span& b) {
        return a.start != b.start ? a.start < b.start : a.pitch < b.pitch;
    });
    EXPECT_EQ(spans(back), expected);
    EXPECT_EQ(back.notes.back().channel, drum_channel);
    EXPECT_EQ(back.notes.back().velocity, 77);
    EXPECT_DOUBLE_EQ(back.notes.back().start_s, 0.4);
}

TEST(MidiFromScore, RejectsWhatMidiCannotHold) {
    Score score;
    score.ticks_per_quarter = 0;
    EXPECT_THROW(midi_from_score(score), std::invalid_argument);
    score.ticks_per_quarter = 0x8000;
    EXPECT_THROW(midi_from_score(score), std::invalid_argument);
    score.ticks_per_quarter = 480;
    score.tempo_us = 0x1000000;
    EXPECT_THROW(midi_from_score(score), std::invalid_argument);
    score.tempo_us = 500'000;
    score.notes = {make_note(0, 10, 128)};
    EXPECT_THROW(midi_from_score(score), std::invalid_argument);
    score.notes.clear();
    EXPECT_THROW(midi_from_score(score, 128), std::invalid_argument);
}

}  // namespace
}  // namespace pianola::music
