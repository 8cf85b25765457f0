// TimedTokenizer: the token spelling, tokens -> notes -> tokens as the identity, MIDI -> tokens ->
// MIDI within the grid on written fixtures (sixteenths, triplets, chords in several octaves, rests,
// a re-struck pitch, tempo and meter changes, off-grid and zero-length notes) and on every file of
// the shared corpora when present, transposition, and the decoder's repairs of malformed tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "TestFiles.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "midi/TempoMap.h"
#include "music/Corpus.h"
#include "music/Score.h"
#include "music/Sustain.h"
#include "music/TimedTokenizer.h"

namespace pianola::music {
namespace {

using Tokens = std::vector<std::string>;
using midi::status::note_off;
using midi::status::note_on;

Note note_at(std::uint32_t start, std::uint32_t end, int pitch, int velocity = 100, int channel = 0) {
    Note n;
    n.start_tick = start;
    n.end_tick = end;
    n.pitch = static_cast<std::uint8_t>(pitch);
    n.velocity = static_cast<std::uint8_t>(velocity);
    n.channel = static_cast<std::uint8_t>(channel);
    return n;
}

Score score_of(std::uint16_t ticks_per_quarter, std::vector<Note> notes, std::vector<Meter> meters = {}) {
    Score score;
    score.ticks_per_quarter = ticks_per_quarter;
    score.notes = std::move(notes);
    std::stable_sort(score.notes.begin(), score.notes.end(), [](const Note& a, const Note& b) {
        return a.start_tick != b.start_tick ? a.start_tick < b.start_tick : a.pitch < b.pitch;
    });
    score.meters = std::move(meters);
    return score;
}

// A note as the grid keeps it: onset and end in steps, the pitch.
struct GridSpan {
    std::int64_t onset, end;
    int pitch;
    auto operator<=>(const GridSpan&) const = default;
};

void PrintTo(const GridSpan& span, std::ostream* out) { *out << span.pitch << "@" << span.onset << "-" << span.end; }

std::int64_t nearest_step(std::uint32_t tick, std::uint32_t ticks_per_quarter, int grid) {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(tick) * grid / ticks_per_quarter + 0.5));
}

// The non-drum notes of a score read from a file, rounded to the grid as the issue asks: onset and
// end to the nearest step, at least one step long.
std::vector<GridSpan> on_grid(const Score& score, int grid) {
    std::vector<GridSpan> spans;
    for (const Note& n : score.notes) {
        if (n.channel == drum_channel) continue;
        const std::int64_t onset = nearest_step(n.start_tick, score.ticks_per_quarter, grid);
        spans.push_back({onset, std::max(onset + 1, nearest_step(n.end_tick, score.ticks_per_quarter, grid)), n.pitch});
    }
    std::sort(spans.begin(), spans.end());
    return spans;
}

// A decoded score's notes in steps, exactly (every tick is a whole number of steps).
std::vector<GridSpan> exact_steps(const Score& score, const TimedTokenizer& tokenizer) {
    std::vector<GridSpan> spans;
    const std::uint32_t per_step = tokenizer.ticks_per_step();
    for (const Note& n : score.notes) {
        EXPECT_EQ(n.start_tick % per_step, 0u);
        EXPECT_EQ(n.end_tick % per_step, 0u);
        spans.push_back({n.start_tick / per_step, n.end_tick / per_step, n.pitch});
    }
    std::sort(spans.begin(), spans.end());
    return spans;
}

Score through_bytes(const Score& score) {
    const std::vector<std::uint8_t> bytes = midi::write_midi(midi_from_score(score));
    return score_from_midi(midi::read_midi(bytes, "round trip"));
}

void add_meter(midi::Track& track, std::uint32_t tick, std::uint8_t numerator, std::uint8_t denominator_power) {
    const std::array<std::uint8_t, 4> bytes = {numerator, denominator_power, 24, 8};
    track.add_payload_event(tick, midi::status::meta, midi::meta::time_signature, bytes);
}

// Events as (tick, order, pitch, channel); order 1 strikes. At one tick, releases of earlier notes
// (0) come first and the release of a zero-length note (2) last, as midi_from_score writes them.
using NoteEvents = std::vector<std::array<std::uint32_t, 4>>;

void add_note(NoteEvents& events, std::uint32_t start, std::uint32_t end, int pitch, int channel = 0) {
    events.push_back({start, 1, static_cast<std::uint32_t>(pitch), static_cast<std::uint32_t>(channel)});
    events.push_back({end, end == start ? 2u : 0u, static_cast<std::uint32_t>(pitch), static_cast<std::uint32_t>(channel)});
}

// Everything a rhythm can hold, at 96 ticks per quarter (8 ticks a step at 12 per beat), as a
// format 1 file with a conductor track and a note track.
midi::MidiFile rhythm_fixture() {
    NoteEvents events;
    for (std::uint32_t i = 0; i < 4; ++i) add_note(events, i * 24, i * 24 + 24, 60 + 2 * static_cast<int>(i));  // sixteenths
    for (int pitch : {36, 64, 79}) add_note(events, 96, 192, pitch);         // a chord over four octaves
    for (std::uint32_t i = 0; i < 3; ++i) add_note(events, 192 + i * 32, 224 + i * 32, 67);  // eighth triplets
    add_note(events, 0, 48, 38, drum_channel);                               // left out
    // Bar 2 is a rest. Bar 3: the same pitch struck again while it sounds.
    add_note(events, 768, 960, 60);
    add_note(events, 864, 1056, 60);
    // Bar 4 in 6/8: a dotted quarter and three eighths; a 3/4 change in its middle counts from bar 5.
    add_note(events, 1152, 1296, 62);
    for (std::uint32_t i = 0; i < 3; ++i) add_note(events, 1296 + i * 48, 1344 + i * 48, 64);
    // Bar 5 in 3/4: a note played 10 ticks late and released early, a zero-length one, a long one.
    add_note(events, 1450, 1530, 65);
    add_note(events, 1500, 1500, 72);
    add_note(events, 1536, 1536 + 96 * 7, 41);
    std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
        return a[0] != b[0] ? a[0] < b[0] : a[1] < b[1];
    });

    midi::MidiFile file;
    file.format = 1;
    file.division = 96;
    midi::Track& conductor = file.tracks.emplace_back();
    fixtures::add_tempo(conductor, 0, 500000);
    add_meter(conductor, 0, 4, 2);
    fixtures::add_tempo(conductor, 768, 666667);  // 90 BPM from bar 3: beats stay beats
    add_meter(conductor, 1152, 6, 3);
    add_meter(conductor, 1344, 3, 2);
    conductor.add_payload_event(1344, midi::status::meta, midi::meta::end_of_track, {});
    midi::Track& notes = file.tracks.emplace_back();
    for (const auto& [tick, order, pitch, channel] : events)
        notes.add_channel_event(tick, static_cast<std::uint8_t>((order == 1 ? note_on : note_off) | channel),
                                static_cast<std::uint8_t>(pitch), order == 1 ? 90 : 0);
    notes.add_payload_event(events.back()[0], midi::status::meta, midi::meta::end_of_track, {});
    return file;
}

}  // namespace

TEST(TimedToken, ParsesOnlyCanonicalSpellings) {
    EXPECT_EQ(parse_timed_token("bar"), (TimedToken{TimedToken::Kind::bar}));
    EXPECT_EQ(parse_timed_token("meter:6/8"), (TimedToken{TimedToken::Kind::meter, 6, 8}));
    EXPECT_EQ(parse_timed_token("pos:0"), (TimedToken{TimedToken::Kind::position, 0}));
    EXPECT_EQ(parse_timed_token("pitch:127"), (TimedToken{TimedToken::Kind::pitch, 127}));
    EXPECT_EQ(parse_timed_token("dur:48"), (TimedToken{TimedToken::Kind::duration, 48}));
    for (const char* token : {"", "<piece>", "C4", "0.4.7", "bar ", "pitch:128", "pitch:-1", "pos:01", "pos:", "dur:+3",
                              "meter:3/5", "meter:0/4", "meter:4/128", "meter:4", "shift:1x", "vel:99999999999"})
        EXPECT_EQ(parse_timed_token(token), std::nullopt) << '"' << token << '"';
    EXPECT_EQ(parse_timed_token("prog:127"), (TimedToken{TimedToken::Kind::program, 127}));
    EXPECT_EQ(parse_timed_token("drum:36"), (TimedToken{TimedToken::Kind::drum, 36}));
    for (const char* token : {"prog:128", "drum:128", "prog:", "drum:-1"}) EXPECT_EQ(parse_timed_token(token), std::nullopt) << token;
    for (const char* token : {"bar", "meter:12/8", "pos:35", "shift:48", "vel:3", "prog:0", "pitch:0", "drum:35", "dur:1"})
        EXPECT_EQ(timed_token_text(*parse_timed_token(token)), token);
}

TEST(TimedTokenizer, SpellsBarsPositionsPitchesDurationsAndVelocityChanges) {
    const Score score = score_of(480, {note_at(0, 480, 60), note_at(0, 240, 48), note_at(720, 960, 67, 40),
                                       note_at(4320, 4800, 72), note_at(100, 200, 35, 100, drum_channel)});
    EXPECT_EQ(TimedTokenizer({12, 4, TimeTokens::bars}).tokenize(score),
              (Tokens{"bar", "meter:4/4", "pos:0", "vel:3", "pitch:48", "dur:6", "pitch:60", "dur:12", "pos:18", "vel:1",
                      "pitch:67", "dur:6", "bar", "bar", "pos:12", "vel:3", "pitch:72", "dur:12"}));
    EXPECT_EQ(TimedTokenizer({12, 0, TimeTokens::shifts}).tokenize(score),
              (Tokens{"pitch:48", "dur:6", "pitch:60", "dur:12", "shift:18", "pitch:67", "dur:6", "shift:48", "shift:42",
                      "pitch:72", "dur:12"}));
    EXPECT_TRUE(TimedTokenizer().tokenize(score_of(480, {note_at(0, 10, 36, 100, drum_channel)})).empty());
}

// A band: a piano chord, a bass (program 33) and a drum kit, the strings (48) entering in bar 2.
Score band_score() {
    Score score = score_of(480, {note_at(0, 480, 60), note_at(0, 480, 64), note_at(0, 960, 36), note_at(0, 120, 36, 100, drum_channel),
                                 note_at(0, 120, 42, 100, drum_channel), note_at(480, 960, 67), note_at(1920, 3840, 55)});
    for (Note& n : score.notes) {
        if (n.pitch == 36 && n.channel == 0) n.program = 33;
        if (n.pitch == 55) n.program = 48;
    }
    return score;
}

TEST(TimedTokenizer, InstrumentsAllSpellsProgramsWhereTheyChangeAndDrumsAsTheirOwnKeys) {
    const Score band = band_score();
    const TimedTokenizer all({12, 0, TimeTokens::bars, Instruments::all});
    const Tokens tokens = all.tokenize(band);
    EXPECT_EQ(tokens, (Tokens{"bar", "meter:4/4", "pos:0", "pitch:60", "dur:12", "pitch:64", "dur:12", "prog:33", "pitch:36",
                              "dur:24", "drum:36", "dur:3", "drum:42", "dur:3", "pos:12", "prog:0", "pitch:67", "dur:12",
                              "bar", "pos:0", "prog:48", "pitch:55", "dur:48"}));
    // Piano: today's tokens, the drums left out and every part one instrument.
    EXPECT_EQ(TimedTokenizer().tokenize(band),
              (Tokens{"bar", "meter:4/4", "pos:0", "pitch:36", "dur:24", "pitch:60", "dur:12", "pitch:64", "dur:12", "pos:12",
                      "pitch:67", "dur:12", "bar", "pos:0", "pitch:55", "dur:48"}));

    // Decoded: each note with its program, the drums on channel 9; written, a track and channel per
    // instrument; read back, the same tokens.
    const Score decoded = all.decode(tokens, 500000);
    ASSERT_EQ(decoded.notes.size(), band.notes.size());
    for (const Note& n : decoded.notes) {
        const bool drum = n.pitch == 42 || (n.pitch == 36 && n.channel == drum_channel);
        EXPECT_EQ(n.channel, drum ? drum_channel : 0) << int(n.pitch);
        EXPECT_EQ(n.program, n.pitch == 55 ? 48 : n.pitch == 36 && !drum ? 33 : 0) << int(n.pitch);
    }
    EXPECT_EQ(all.tokenize(decoded), tokens);
    const midi::MidiFile file = midi_from_score(decoded);
    std::vector<std::array<int, 2>> programs;  // (channel, program) of each track's program change
    std::set<int> drum_tracks;
    for (std::size_t t = 1; t < file.tracks.size(); ++t)
        for (const midi::Event& e : file.tracks[t].events) {
            if (e.kind() == midi::status::program_change) programs.push_back({e.channel(), e.d1});
            if (e.is_note_on() && e.channel() == drum_channel) drum_tracks.insert(static_cast<int>(t));
        }
    // Channels in order of first onset (the bass, lowest of the first chord, then the piano), 9 skipped.
    EXPECT_EQ(programs, (std::vector<std::array<int, 2>>{{0, 33}, {1, 0}, {2, 48}}));
    EXPECT_EQ(drum_tracks.size(), 1u);
    EXPECT_EQ(all.tokenize(through_bytes(decoded)), tokens);
    // One program for every part but the drums, as `generate --program` asks.
    const Score played = score_from_midi(midi::read_midi(midi::write_midi(midi_from_score(decoded, 40)), "one program"));
    for (const Note& n : played.notes) EXPECT_EQ(n.program, n.channel == drum_channel ? 0 : 40);

    // Transposition moves pitches, never a drum (its key is a sound, not a pitch) or a program.
    EXPECT_EQ(all.transpose("drum:36", 5), "drum:36");
    EXPECT_EQ(all.transpose("prog:33", 5), "prog:33");
    EXPECT_EQ(all.transpose("pitch:36", 5), "pitch:41");

    // A piano model's decoder takes no programs or drums; a band's takes both.
    TimedDecoder piano{TimedTokenizer()}, anything{all};
    for (TimedDecoder* decoder : {&piano, &anything})
        for (const char* text : {"bar", "pos:0"}) decoder->push(*parse_timed_token(text));
    for (const char* text : {"prog:33", "drum:36"}) {
        EXPECT_FALSE(piano.accepts(*parse_timed_token(text))) << text;
        EXPECT_TRUE(anything.accepts(*parse_timed_token(text))) << text;
    }
    anything.push(*parse_timed_token("drum:36"));
    EXPECT_FALSE(anything.accepts(*parse_timed_token("prog:33")));  // a drum waits for its duration
}

TEST(TimedTokenizer, MetersCountFromTheFirstBarLineAtOrAfterThem) {
    // 3/4 from tick 0, 6/8 announced in the middle of the second bar: the third bar is 6/8.
    const Score score = score_of(12, {note_at(0, 12, 60), note_at(36, 48, 62), note_at(72, 78, 64)},
                                 {{0, 3, 4}, {50, 6, 8}});
    const TimedTokenizer tokenizer({1, 0, TimeTokens::bars});  // one step per beat
    EXPECT_EQ(tokenizer.tokenize(score), (Tokens{"bar", "meter:3/4", "pos:0", "pitch:60", "dur:1", "bar", "pos:0",
                                                 "pitch:62", "dur:1", "bar", "meter:6/8", "pos:0", "pitch:64", "dur:1"}));
    EXPECT_EQ(tokenizer.bar_steps(6, 8), 3);
    EXPECT_EQ(TimedTokenizer({12, 0, TimeTokens::bars}).bar_steps(7, 8), 42);
    EXPECT_EQ(TimedTokenizer({12, 0, TimeTokens::bars}).bar_steps(1, 64), 1);  // never a bar of no steps
    EXPECT_EQ(tokenizer.decode(tokenizer.tokenize(score), 500000).meters, (std::vector<Meter>{{0, 3, 4}, {6 * 480, 6, 8}}));
}

// Four quarters over two bars at 120 BPM; 60 BPM (16 bins slower) from step 6, where no note
// starts, a change of under half a bin at step 12, 240 BPM (32 bins faster) from bar 2, where a
// note starts, 120 again after the last onset.
Score tempo_score() {
    Score score = score_of(480, {note_at(0, 480, 60), note_at(480, 960, 62), note_at(1920, 2400, 64), note_at(2400, 2880, 65)});
    score.tempos = {{240, 1000000}, {480, 1010000}, {1920, 250000}, {3000, 500000}};
    return score;
}

TEST(TimedTokenizer, TempoTokensSpellThePieceTempoAndItsChangesOnTheirSteps) {
    const Score score = tempo_score();
    const TimedTokenizer bars({12, 0, TimeTokens::bars, Instruments::piano, false, true});
    const Tokens tokens = bars.tokenize(score);
    EXPECT_EQ(tokens, (Tokens{"bar", "meter:4/4", "pos:0", "tempo:120", "pitch:60", "dur:12", "pos:6", "tempo:-16", "pos:12",
                              "pitch:62", "dur:12", "bar", "pos:0", "tempo:+32", "pitch:64", "dur:12", "pos:12", "pitch:65", "dur:12"}));
    const TimedTokenizer shifts({12, 0, TimeTokens::shifts, Instruments::piano, false, true});
    EXPECT_EQ(shifts.tokenize(score),
              (Tokens{"tempo:120", "pitch:60", "dur:12", "shift:6", "tempo:-16", "shift:6", "pitch:62", "dur:12", "shift:36",
                      "tempo:+32", "pitch:64", "dur:12", "shift:12", "pitch:65", "dur:12"}));
    EXPECT_EQ(TimedTokenizer({12, 0, TimeTokens::bars}).tokenize(score).size(), tokens.size() - 4)
        << "without the 3 tempo tokens and the position of the change no note starts at";

    // Decoded: the tempo map on the grid, the seconds by it; tokens -> notes -> tokens is the identity.
    const Score decoded = bars.decode(tokens, 400000);
    EXPECT_EQ(decoded.tempo_us, 500000u) << "the first tempo token, not the tempo asked";
    EXPECT_EQ(decoded.tempos, (std::vector<TempoChange>{{240, 1000000}, {1920, 250000}}));
    ASSERT_EQ(decoded.notes.size(), 4u);
    EXPECT_DOUBLE_EQ(decoded.notes[1].start_s, 0.25 + 0.5);  // 6 steps at 120, 6 at 60
    EXPECT_DOUBLE_EQ(decoded.notes[2].start_s, 0.75 + 3);
    EXPECT_DOUBLE_EQ(decoded.notes[3].end_s, 3.75 + 2 * 0.25);
    EXPECT_EQ(bars.tokenize(decoded), tokens);
    EXPECT_EQ(bars.tokenize(through_bytes(decoded)), tokens);
    EXPECT_EQ(shifts.tokenize(through_bytes(shifts.decode(shifts.tokenize(score), 500000))), shifts.tokenize(score));

    // A change before the first onset is the piece's tempo; without tempo tokens the tempo asked.
    Score late = score_of(480, {note_at(480, 960, 60), note_at(960, 1440, 62)});
    late.tempos = {{240, 1000000}};
    EXPECT_EQ(shifts.tokenize(late), (Tokens{"shift:12", "tempo:60", "pitch:60", "dur:12", "shift:12", "pitch:62", "dur:12"}));
    EXPECT_EQ(bars.decode({"bar", "meter:4/4", "pos:0", "pitch:60", "dur:12"}, 400000).tempo_us, 400000u);
    EXPECT_TRUE(bars.decode({"bar", "meter:4/4", "pos:0", "pitch:60", "dur:12"}, 400000).tempos.empty());
    // Changes count from the tempo asked where no tempo token says the piece's, and stay on the grid.
    const Score changed = bars.decode({"bar", "meter:4/4", "pos:0", "pitch:60", "dur:12", "pos:12", "tempo:+16", "pitch:60",
                                       "dur:12", "pos:24", "tempo:+40", "pitch:60", "dur:12"}, 500000);
    EXPECT_EQ(changed.tempos, (std::vector<TempoChange>{{480, 250000}, {960, TimedTokenizer::tempo_of_bin(64)}}));
}

TEST(TimedTokenizer, TempoBinsAreSixteenAnOctaveFrom30To480Bpm) {
    EXPECT_EQ(TimedTokenizer::tempo_of_bin(32), 500000u);
    EXPECT_EQ(TimedTokenizer::tempo_of_bin(16), 1000000u);
    EXPECT_EQ(TimedTokenizer::tempo_of_bin(0), 2000000u);
    EXPECT_EQ(TimedTokenizer::tempo_of_bin(64), 125000u);
    for (int bin = 0; bin < TimedTokenizer::tempo_bins; ++bin) {
        EXPECT_EQ(TimedTokenizer::bin_of_tempo(TimedTokenizer::tempo_of_bin(bin)), bin);
        const TimedToken token{TimedToken::Kind::tempo, bin};
        EXPECT_EQ(parse_timed_token(timed_token_text(token)), token) << timed_token_text(token);
    }
    EXPECT_EQ(TimedTokenizer::bin_of_tempo(1), 64) << "faster than 480 BPM: the fastest";
    EXPECT_EQ(TimedTokenizer::bin_of_tempo(0xFFFFFF), 0);
    EXPECT_EQ(TimedTokenizer::bin_of_tempo(600000), 28) << "100 BPM is nearest 101";
    EXPECT_EQ(timed_token_text({TimedToken::Kind::tempo, 28}), "tempo:101");
    for (const char* text : {"tempo:100", "tempo:0", "tempo:", "tempo:0120", "tempo:29", "tempo:481", "tempo:+0", "tempo:-0",
                             "tempo:+65", "tempo:-65", "tempo:+", "tempo:+-1", "tempo:++1", "tempo:+01"})
        EXPECT_EQ(parse_timed_token(text), std::nullopt) << text;
    EXPECT_EQ(parse_timed_token("tempo:-1"), (TimedToken{TimedToken::Kind::tempo_change, -1}));
    EXPECT_EQ(parse_timed_token("tempo:+64"), (TimedToken{TimedToken::Kind::tempo_change, 64}));
    for (const char* text : {"tempo:-1", "tempo:+1", "tempo:-64", "tempo:+12"}) EXPECT_EQ(timed_token_text(*parse_timed_token(text)), text);
}

TEST(TimedDecoder, TakesATempoRightAfterATimeTokenAndOnlyWithTempoTokens) {
    const auto token = [](const char* text) { return *parse_timed_token(text); };
    TimedDecoder plain(TimedTokenizer{});
    plain.push(token("bar"));
    plain.push(token("pos:0"));
    EXPECT_FALSE(plain.accepts(token("tempo:120")));

    TimedDecoder bars(TimedTokenizer({12, 0, TimeTokens::bars, Instruments::piano, false, true}));
    bars.push(token("bar"));
    EXPECT_FALSE(bars.accepts(token("tempo:120"))) << "before the bar's first position";
    bars.push(token("pos:0"));
    EXPECT_FALSE(bars.accepts(token("tempo:-1"))) << "a change before the first note";
    EXPECT_TRUE(bars.accepts(token("tempo:120")));
    bars.push(token("tempo:120"));
    EXPECT_FALSE(bars.accepts(token("tempo:60"))) << "one tempo an onset";
    bars.push(token("pitch:60"));
    EXPECT_FALSE(bars.accepts(token("tempo:-1")));
    bars.push(token("dur:12"));
    EXPECT_FALSE(bars.accepts(token("tempo:-1"))) << "after the onset's notes";
    bars.push(token("pos:12"));
    EXPECT_FALSE(bars.accepts(token("tempo:60"))) << "the piece's tempo after its first note";
    bars.push(token("tempo:-16"));
    EXPECT_FALSE(bars.accepts(token("tempo:-1"))) << "one change an onset";
    EXPECT_EQ(bars.score(500000).tempos, (std::vector<TempoChange>{{480, 1000000}}));

    TimedDecoder shifts(TimedTokenizer({12, 0, TimeTokens::shifts, Instruments::piano, false, true}));
    EXPECT_TRUE(shifts.accepts(token("tempo:89"))) << "first, at the piece's start";
    shifts.push(token("pitch:60"));
    shifts.push(token("dur:12"));
    EXPECT_FALSE(shifts.accepts(token("tempo:+1")));
    shifts.push(token("shift:3"));
    EXPECT_TRUE(shifts.accepts(token("tempo:+1")));
}

// A score's pedal changes as (tick, channel, down).
std::vector<std::tuple<std::uint32_t, int, bool>> pedal_steps(const Score& score) {
    std::vector<std::tuple<std::uint32_t, int, bool>> changes;
    for (const PedalChange& c : score.pedals) changes.emplace_back(c.tick, c.channel, c.down);
    return changes;
}

// At 96 ticks a beat, 8 ticks a step: the pedal's changes on the steps they fall on, one pedal for
// every pitched channel, nothing before the first onset or after the last.
TEST(TimedTokenizer, PedalTokensSpellThePressesAndLiftsOnTheirSteps) {
    Score score = score_of(96, {note_at(96, 192, 60), note_at(192, 288, 62), note_at(288, 384, 64), note_at(384, 480, 65)});
    const auto pedal = [](std::uint32_t tick, std::uint8_t channel, bool down) { return PedalChange{tick, 0, channel, down}; };
    score.pedals = {pedal(0, 0, true),     // before the first onset: down at it (step 12)
                    pedal(190, 0, false),  // a lift and a press both on step 24: a change of pedal
                    pedal(194, 0, true),
                    pedal(250, 0, false),  // step 31, between onsets
                    pedal(288, 1, true),   // step 36, another channel: the pedal is down
                    pedal(290, 0, true),   // already down
                    pedal(300, 1, false),  // still down on channel 0
                    pedal(330, drum_channel, false),
                    pedal(400, 0, false)};  // after the last onset
    const TimedTokenizer bars({12, 0, TimeTokens::bars, Instruments::piano, false, false, true});
    const Tokens tokens = bars.tokenize(score);
    EXPECT_EQ(tokens, (Tokens{"bar", "meter:4/4", "pos:12", "pedal:down", "pitch:60", "dur:12", "pos:24", "pedal:up",
                              "pedal:down", "pitch:62", "dur:12", "pos:31", "pedal:up", "pos:36", "pedal:down", "pitch:64",
                              "dur:12", "bar", "pos:0", "pitch:65", "dur:12"}));
    const TimedTokenizer shifts({12, 0, TimeTokens::shifts, Instruments::piano, false, false, true});
    EXPECT_EQ(shifts.tokenize(score),
              (Tokens{"shift:12", "pedal:down", "pitch:60", "dur:12", "shift:12", "pedal:up", "pedal:down", "pitch:62",
                      "dur:12", "shift:7", "pedal:up", "shift:5", "pedal:down", "pitch:64", "dur:12", "shift:12", "pitch:65",
                      "dur:12"}));
    EXPECT_EQ(TimedTokenizer({12, 0, TimeTokens::bars}).tokenize(score).size(), tokens.size() - 6)
        << "without the 5 pedal tokens and the position of the lift no note starts at";

    // Decoded: the changes on channel 0 (480 ticks a beat), lifted at the last note's end; the
    // identity, through MIDI bytes too (midi_from_score writes controller 64).
    const Score decoded = bars.decode(tokens, 500000);
    EXPECT_EQ(pedal_steps(decoded), (std::vector<std::tuple<std::uint32_t, int, bool>>{
                                        {480, 0, true}, {960, 0, false}, {960, 0, true}, {1240, 0, false}, {1440, 0, true},
                                        {2400, 0, false}}));
    EXPECT_DOUBLE_EQ(decoded.pedals[3].seconds, 1240 / 960.0) << "timed by the tempo map";
    EXPECT_EQ(bars.tokenize(decoded), tokens);
    const Score written = through_bytes(decoded);
    EXPECT_EQ(pedal_steps(written), pedal_steps(decoded));
    EXPECT_EQ(bars.tokenize(written), tokens);
    EXPECT_EQ(shifts.tokenize(through_bytes(shifts.decode(shifts.tokenize(score), 500000))), shifts.tokenize(score));
    // Played as heard: the second note is released after the lift, the third rings to the end.
    const Score heard = sustained(written);
    EXPECT_EQ(heard.notes[1].end_tick, 1440u);
    EXPECT_EQ(heard.notes[2].end_tick, 2400u);

    EXPECT_THROW(TimedTokenizer({12, 0, TimeTokens::bars, Instruments::piano, true, false, true}), std::invalid_argument)
        << "the pedal read into durations and as tokens";
}

TEST(TimedDecoder, TakesAPedalTokenAfterATimeTokenAndItsTempoAndOnlyAChangeOfState) {
    const auto token = [](const char* text) { return *parse_timed_token(text); };
    TimedDecoder plain(TimedTokenizer{});
    plain.push(token("bar"));
    plain.push(token("pos:0"));
    EXPECT_FALSE(plain.accepts(token("pedal:down")));

    TimedDecoder bars(TimedTokenizer({12, 0, TimeTokens::bars, Instruments::piano, false, true, true}));
    bars.push(token("bar"));
    EXPECT_FALSE(bars.accepts(token("pedal:down"))) << "before the bar's first position";
    bars.push(token("pos:0"));
    EXPECT_FALSE(bars.accepts(token("pedal:up"))) << "the pedal is up";
    bars.push(token("tempo:120"));
    EXPECT_TRUE(bars.accepts(token("pedal:down"))) << "after the onset's tempo";
    bars.push(token("pedal:down"));
    EXPECT_FALSE(bars.accepts(token("pedal:down"))) << "down already";
    EXPECT_FALSE(bars.accepts(token("pedal:up"))) << "a press ends the onset's pedal";
    bars.push(token("pitch:60"));
    bars.push(token("dur:12"));
    EXPECT_FALSE(bars.accepts(token("pedal:up"))) << "after the onset's notes";
    bars.push(token("pos:12"));
    bars.push(token("pedal:up"));
    EXPECT_FALSE(bars.accepts(token("tempo:-1"))) << "the tempo comes before the pedal";
    EXPECT_TRUE(bars.accepts(token("pedal:down"))) << "a change of pedal: lifted and pressed again";
    bars.push(token("pedal:down"));
    EXPECT_FALSE(bars.accepts(token("pedal:up")));
    EXPECT_EQ(pedal_steps(bars.score(500000)), (std::vector<std::tuple<std::uint32_t, int, bool>>{
                                                   {0, 0, true}, {480, 0, false}, {480, 0, true}, {480, 0, false}}))
        << "still down at the end: lifted where the last note ends";

    TimedDecoder shifts(TimedTokenizer({12, 0, TimeTokens::shifts, Instruments::piano, false, false, true}));
    EXPECT_TRUE(shifts.accepts(token("pedal:down"))) << "first, at the piece's start";
    for (const char* text : {"pedal:", "pedal:on", "pedal:Down", "pedal:0", "pedal:up "})
        EXPECT_EQ(parse_timed_token(text), std::nullopt) << text;
    for (const char* text : {"pedal:down", "pedal:up"}) EXPECT_EQ(timed_token_text(*parse_timed_token(text)), text);
}

TEST(TimedTokenizer, TokensToNotesToTokensIsTheIdentity) {
    const Score fixture = score_from_midi(rhythm_fixture());
    for (const TimedOptions options : {TimedOptions{12, 0, TimeTokens::bars}, TimedOptions{24, 4, TimeTokens::bars},
                                       TimedOptions{12, 8, TimeTokens::shifts}, TimedOptions{5, 0, TimeTokens::shifts},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::piano, false, true},
                                       TimedOptions{5, 0, TimeTokens::shifts, Instruments::piano, false, true},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::all, false, true, true}}) {
        const TimedTokenizer tokenizer(options);
        const Tokens tokens = tokenizer.tokenize(fixture);
        ASSERT_FALSE(tokens.empty());
        const Score decoded = tokenizer.decode(tokens, 500000);
        EXPECT_EQ(tokenizer.tokenize(decoded), tokens) << options.steps_per_beat;
        EXPECT_EQ(tokenizer.tokenize(through_bytes(decoded)), tokens) << options.steps_per_beat;
    }
    // A sequence written by hand, canonical: a rest bar, a chord, a meter change.
    const Tokens written = {"bar", "meter:4/4", "bar", "pos:3", "vel:0", "pitch:40", "dur:9", "pitch:52", "dur:2",
                            "vel:1", "pitch:52", "dur:2", "pos:47", "pitch:90", "dur:100", "bar", "meter:5/8",
                            "pos:29", "vel:0", "pitch:41", "dur:1"};
    const TimedTokenizer tokenizer({12, 2, TimeTokens::bars});
    EXPECT_EQ(tokenizer.tokenize(tokenizer.decode(written, 400000)), written);
}

TEST(TimedTokenizer, MidiToTokensToMidiKeepsEveryNoteWithinTheGrid) {
    const midi::MidiFile file = rhythm_fixture();
    const Score original = score_from_midi(file);
    for (const int grid : {12, 24}) {
        const TimedTokenizer tokenizer({grid, 0, TimeTokens::bars});
        const Score written = through_bytes(tokenizer.decode(tokenizer.tokenize(original), original.tempo_us));
        ASSERT_EQ(exact_steps(written, tokenizer), on_grid(original, grid)) << grid;
        double largest_error = 0;
        for (const Note& n : original.notes)
            if (n.channel != drum_channel) {
                const double beats = static_cast<double>(n.start_tick) / original.ticks_per_quarter;
                const double nearest = std::round(beats * grid) / grid;
                largest_error = std::max(largest_error, std::abs(beats - nearest));
            }
        EXPECT_GT(largest_error, 0.0) << "the fixture has an off-grid note";
        EXPECT_LE(largest_error, 0.5 / grid + 1e-12);
        const std::uint32_t tick_scale = tokenizer.ticks_per_quarter() / 96u;
        EXPECT_EQ(written.meters, (std::vector<Meter>{{0, 4, 4}, {1152 * tick_scale, 6, 8}, {1440 * tick_scale, 3, 4}}));
    }
    // On the grid already (sixteenths, triplets, chords, the rest, the re-struck pitch): kept exactly.
    const TimedTokenizer tokenizer;
    const Score written = through_bytes(tokenizer.decode(tokenizer.tokenize(original), original.tempo_us));
    const std::vector<GridSpan> kept = exact_steps(written, tokenizer);
    for (const GridSpan& expected : {GridSpan{0, 3, 60}, GridSpan{9, 12, 66}, GridSpan{12, 24, 36}, GridSpan{12, 24, 79},
                                     GridSpan{24, 28, 67}, GridSpan{28, 32, 67}, GridSpan{96, 120, 60},
                                     GridSpan{108, 132, 60}, GridSpan{181, 191, 65}, GridSpan{188, 189, 72},
                                     GridSpan{192, 276, 41}})
        EXPECT_NE(std::find(kept.begin(), kept.end(), expected), kept.end())
            << expected.onset << " " << expected.end << " " << expected.pitch;
    EXPECT_EQ(kept.size(), 19u);  // every note but the drum
}

TEST(TimedTokenizer, TransposingTokensEqualsTokenizingTheTransposedScore) {
    const Score fixture = score_from_midi(rhythm_fixture());
    for (const TimedOptions options : {TimedOptions{12, 4, TimeTokens::bars}, TimedOptions{12, 0, TimeTokens::shifts}}) {
        const TimedTokenizer tokenizer(options);
        const Tokens tokens = tokenizer.tokenize(fixture);
        for (int shift : {-5, -1, 3, 12}) {
            Score moved = fixture;
            for (Note& n : moved.notes)
                if (n.channel != drum_channel) n.pitch = static_cast<std::uint8_t>(n.pitch + shift);
            const Tokens expected = tokenizer.tokenize(moved);
            ASSERT_EQ(expected.size(), tokens.size());
            for (std::size_t i = 0; i < tokens.size(); ++i)
                EXPECT_EQ(tokenizer.transpose(tokens[i], shift), expected[i]) << tokens[i] << " by " << shift;
        }
    }
    const TimedTokenizer tokenizer;
    EXPECT_EQ(tokenizer.transpose("pitch:127", 1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("pitch:0", -1), std::nullopt);
    EXPECT_EQ(tokenizer.transpose("dur:12", 5), "dur:12");
    EXPECT_EQ(tokenizer.transpose("meter:6/8", -3), "meter:6/8");
    EXPECT_THROW(tokenizer.transpose("C4", 1), std::invalid_argument);
}

TEST(TimedDecoder, SkipsWhatDoesNotFitAndWritesOnlyWellFormedNotes) {
    const Tokens broken = {"dur:6", "pitch:59", "bar", "dur:6", "pos:4", "pitch:60", "pitch:62", "dur:6", "pos:2",
                           "pitch:64", "dur:3", "pos:48", "meter:3/4", "pitch:65", "dur:3", "shift:6", "vel:9",
                           "<piece>", "pitch:200", "pos:x", "C4", "dur:0", "bar", "pos:0", "pitch:67"};
    const TimedTokenizer tokenizer({12, 0, TimeTokens::bars});
    const Score score = tokenizer.decode(broken, 600000);
    ASSERT_EQ(score.notes.size(), 3u);
    EXPECT_EQ(exact_steps(score, tokenizer), (std::vector<GridSpan>{{4, 7, 64}, {4, 7, 65}, {4, 10, 60}}));
    EXPECT_EQ(score.tempo_us, 600000u);
    EXPECT_NO_THROW(midi::write_midi(midi_from_score(score)));

    // Shift pieces: bar tokens do not fit them, and a note never starts before the last onset.
    const TimedTokenizer shifts({12, 4, TimeTokens::shifts});
    const Score shifted = shifts.decode({"bar", "pos:3", "vel:2", "pitch:60", "dur:6", "shift:0", "shift:49", "shift:7",
                                         "vel:4", "pitch:62", "dur:1", "meter:4/4"},
                                        500000);
    EXPECT_EQ(exact_steps(shifted, shifts), (std::vector<GridSpan>{{0, 6, 60}, {7, 8, 62}}));
    EXPECT_EQ(shifted.notes[0].velocity, shifts.velocity_of_level(2));
    EXPECT_TRUE(shifted.meters.empty());

    // Nothing ever passes the longest time a MIDI file holds.
    const TimedTokenizer fine({96, 0, TimeTokens::shifts});
    const std::string longest = "dur:" + std::to_string(fine.max_steps());
    const Score edge = fine.decode({"pitch:60", "dur:" + std::to_string(fine.max_steps() + 1), "dur:1", "pitch:61", longest}, 500000);
    ASSERT_EQ(edge.notes.size(), 2u);
    EXPECT_LE(edge.notes[1].end_tick, TimedTokenizer::max_ticks);
    EXPECT_NO_THROW(midi::write_midi(midi_from_score(edge)));
}

TEST(TimedDecoder, SaysWhatMayComeNextAndRefusesTheRest) {
    const TimedTokenizer tokenizer;
    TimedDecoder decoder(tokenizer);
    const auto token = [](const char* text) { return *parse_timed_token(text); };
    EXPECT_FALSE(decoder.accepts(token("pos:0")));  // no bar yet
    EXPECT_FALSE(decoder.accepts(token("pitch:60")));
    EXPECT_THROW(decoder.push(token("dur:3")), std::invalid_argument);
    decoder.push(token("bar"));
    EXPECT_TRUE(decoder.accepts(token("meter:3/4")));
    decoder.push(token("meter:3/4"));
    EXPECT_FALSE(decoder.accepts(token("pos:36")));  // a 3/4 bar has positions 0..35
    decoder.push(token("pos:35"));
    EXPECT_FALSE(decoder.accepts(token("meter:4/4")));
    EXPECT_FALSE(decoder.accepts(token("pos:35")));
    decoder.push(token("pitch:60"));
    for (const char* next : {"bar", "pos:1", "pitch:61", "vel:0", "dur:0"}) EXPECT_FALSE(decoder.accepts(token(next))) << next;
    decoder.push(token("dur:100"));
    EXPECT_EQ(decoder.notes(), 1u);
    EXPECT_FALSE(decoder.accepts(token("shift:3")));
}

TEST(TimedTokenizer, VelocityLevelsAreEqualBandsAndDecodeToTheirMiddle) {
    for (int levels = 2; levels <= 16; ++levels) {
        const TimedTokenizer tokenizer({12, levels, TimeTokens::bars});
        for (int level = 0; level < levels; ++level)
            EXPECT_EQ(tokenizer.level_of_velocity(tokenizer.velocity_of_level(level)), level) << levels;
        EXPECT_EQ(tokenizer.level_of_velocity(1), 0);
        EXPECT_EQ(tokenizer.level_of_velocity(127), levels - 1);
    }
    EXPECT_EQ(TimedTokenizer().decode({"bar", "pos:0", "pitch:60", "dur:1"}, 500000).notes.at(0).velocity,
              TimedTokenizer::default_velocity);
}

TEST(TimedTokenizer, RefusesOptionsAndMetersOutOfRange) {
    EXPECT_THROW(TimedTokenizer({0, 0, TimeTokens::bars}), std::invalid_argument);
    EXPECT_THROW(TimedTokenizer({97, 0, TimeTokens::bars}), std::invalid_argument);
    EXPECT_THROW(TimedTokenizer({12, 1, TimeTokens::bars}), std::invalid_argument);
    EXPECT_THROW(TimedTokenizer({12, 17, TimeTokens::bars}), std::invalid_argument);
    EXPECT_THROW(TimedTokenizer().tokenize(score_of(480, {note_at(0, 10, 60)}, {{0, 4, 3}})), std::invalid_argument);
    EXPECT_EQ(TimedTokenizer({7, 0, TimeTokens::bars}).ticks_per_quarter(), 476);
}

TEST(ScoreMeters, AreReadFromEveryTrackAndWrittenBack) {
    midi::MidiFile file;
    file.division = 480;
    midi::Track& first = file.tracks.emplace_back();
    add_meter(first, 0, 3, 2);
    add_meter(first, 960, 7, 9);  // no denominator of 1/512: ignored
    add_meter(first, 1440, 6, 3);
    midi::Track& second = file.tracks.emplace_back();
    add_meter(second, 1440, 2, 2);  // the same tick, a later track: it wins
    add_meter(second, 2880, 0, 2);  // no numerator: ignored
    second.add_channel_event(0, note_on, 60, 90);
    second.add_channel_event(480, note_off, 60, 0);
    const Score score = score_from_midi(file);
    EXPECT_EQ(score.meters, (std::vector<Meter>{{0, 3, 4}, {1440, 2, 4}}));
    EXPECT_EQ(score_from_midi(midi::read_midi(midi::write_midi(midi_from_score(score)), "m")).meters, score.meters);
    Score bad = score;
    bad.meters.push_back({3000, 4, 3});
    EXPECT_THROW(midi_from_score(bad), std::invalid_argument);
}

// Every file of the shared corpora: MIDI -> tokens -> MIDI keeps every note at the grid (with
// `sustain`, as it sounds: the pedal read into its duration), tokens survive the trip, and the
// report says how many notes the grid moved and by how much.
TEST(TimedTokenizerCorpus, KeepsEveryNoteOfTheSharedCorporaAtTheGrid) {
    const std::filesystem::path corpora = fixtures::shared_corpora();
    if (corpora.empty()) GTEST_SKIP() << "no ../shared/corpora beside the checkout";
    for (const char* name : {"ff-piano", "nottingham"}) {
        if (!std::filesystem::is_directory(corpora / name)) continue;
        for (const TimedOptions options : {TimedOptions{}, TimedOptions{24, 4, TimeTokens::bars},
                                           TimedOptions{12, 0, TimeTokens::shifts},
                                           TimedOptions{12, 0, TimeTokens::bars, Instruments::piano, true}}) {
            const TimedTokenizer tokenizer(options);
            const int grid = options.steps_per_beat;
            std::int64_t notes = 0, exact = 0, moved_onsets = 0, moved_ends = 0, files = 0;
            double largest_onset = 0, largest_end = 0;
            for (const std::filesystem::path& path : find_midi_files({corpora / name})) {
                const Score read = score_from_midi(midi::read_midi_file(path));
                const Score original = options.sustain ? sustained(read) : read;
                const Tokens tokens = tokenizer.tokenize(original);
                const Score written = through_bytes(tokenizer.decode(tokens, original.tempo_us));
                EXPECT_EQ(tokenizer.tokenize(written), tokens) << path;
                const std::vector<GridSpan> expected = on_grid(original, grid), kept = exact_steps(written, tokenizer);
                EXPECT_EQ(kept, expected) << path;
                ++files;
                std::vector<GridSpan> both;
                std::set_intersection(kept.begin(), kept.end(), expected.begin(), expected.end(), std::back_inserter(both));
                exact += static_cast<std::int64_t>(both.size());
                for (const Note& n : original.notes) {
                    if (n.channel == drum_channel) continue;
                    ++notes;
                    const double onset = static_cast<double>(n.start_tick) / original.ticks_per_quarter;
                    const double end = static_cast<double>(n.end_tick) / original.ticks_per_quarter;
                    const double onset_error = std::abs(onset - std::round(onset * grid) / grid);
                    const double end_error = std::abs(end - std::round(end * grid) / grid);
                    moved_onsets += onset_error > 0;
                    moved_ends += end_error > 0;
                    largest_onset = std::max(largest_onset, onset_error);
                    largest_end = std::max(largest_end, end_error);
                }
            }
            EXPECT_EQ(exact, notes);
            EXPECT_LE(largest_onset, 0.5 / grid + 1e-12);
            const auto percent = [&](std::int64_t part) { return 100.0 * static_cast<double>(part) / static_cast<double>(notes); };
            std::ostringstream report;
            report << std::fixed << std::setprecision(3) << name << " (" << grid << " per beat, "
                   << time_tokens_name(options.time) << (options.sustain ? ", pedal" : "") << "): " << files << " files, " << notes << " notes, "
                   << percent(exact) << "% kept exactly at the grid; the grid moved " << percent(moved_onsets)
                   << "% of onsets (largest by " << largest_onset << " beat) and " << percent(moved_ends)
                   << "% of ends (largest by " << largest_end << " beat)";
            std::cout << report.str() << '\n';
            ::testing::Test::RecordProperty(std::string(name) + "_" + std::to_string(grid) + "_" +
                                                std::string(time_tokens_name(options.time)) + (options.sustain ? "_pedal" : ""),
                                            report.str());
        }
    }
}

namespace {

// The shared corpora and the Debian corpus, those on this machine.
std::vector<std::filesystem::path> corpus_folders() {
    std::vector<std::filesystem::path> folders;
    if (const std::filesystem::path corpora = fixtures::shared_corpora(); !corpora.empty())
        for (const char* name : {"ff-piano", "nottingham"}) folders.push_back(corpora / name);
    for (const char* debian : {"/usr/share/doc/mma", "/usr/share/doc/pianobooster"}) folders.emplace_back(debian);
    std::erase_if(folders, [](const std::filesystem::path& folder) { return !std::filesystem::is_directory(folder); });
    return folders;
}

}  // namespace

// Every file of the shared corpora and of the Debian corpus (mma's band arrangements, with drums):
// with instruments as tokens, MIDI -> tokens -> MIDI -> tokens is the identity and keeps every note,
// drums included, each on its instrument.
TEST(TimedTokenizerCorpus, InstrumentsAllSurviveTheTripExactly) {
    const std::vector<std::filesystem::path> folders = corpus_folders();
    if (folders.empty()) GTEST_SKIP() << "no corpus on this machine";
    const TimedTokenizer all({12, 0, TimeTokens::bars, Instruments::all});
    std::int64_t files = 0, notes = 0, bands = 0, with_drums = 0;
    for (const std::filesystem::path& path : find_midi_files(folders)) {
        const Score original = score_from_midi(midi::read_midi_file(path));
        const Tokens tokens = all.tokenize(original);
        const Score written = through_bytes(all.decode(tokens, original.tempo_us));
        EXPECT_EQ(all.tokenize(written), tokens) << path;
        ASSERT_EQ(written.notes.size(), original.notes.size()) << path;
        std::set<int> instruments;  // program, or 128 for the drums
        for (const Note& n : written.notes) instruments.insert(n.channel == drum_channel ? 128 : n.program);
        std::set<int> originals;
        for (const Note& n : original.notes) originals.insert(n.channel == drum_channel ? 128 : n.program);
        EXPECT_EQ(instruments, originals) << path;
        ++files;
        notes += static_cast<std::int64_t>(original.notes.size());
        bands += instruments.size() > 1;
        with_drums += instruments.contains(128);
    }
    EXPECT_GT(files, 0);
    std::cout << files << " files, " << notes << " notes; " << bands << " with several instruments, " << with_drums
              << " with drums\n";
}

// Every file of the shared corpora and the Debian corpus with tempo tokens: the tokens survive
// MIDI bytes, and every onset plays at the tempo bin in force at it in the file (a change counted
// from the step it rounds to).
TEST(TimedTokenizerCorpus, TempoChangesSurviveTheTripOnTheGrid) {
    const std::vector<std::filesystem::path> folders = corpus_folders();
    if (folders.empty()) GTEST_SKIP() << "no corpus on this machine";
    const TimedTokenizer tokenizer({12, 0, TimeTokens::bars, Instruments::piano, false, true});
    std::int64_t files = 0, changing = 0, notes = 0;
    for (const std::filesystem::path& path : find_midi_files(folders)) {
        const Score original = score_from_midi(midi::read_midi_file(path));
        const Tokens tokens = tokenizer.tokenize(original);
        const Score written = through_bytes(tokenizer.decode(tokens, original.tempo_us));
        EXPECT_EQ(tokenizer.tokenize(written), tokens) << path;
        const midi::TempoMap heard(written.ticks_per_quarter, written.tempo_us, written.tempos);
        for (const Note& n : original.notes) {
            if (n.channel == drum_channel) continue;
            const std::int64_t step = nearest_step(n.start_tick, original.ticks_per_quarter, 12);
            std::uint32_t in_force = original.tempo_us;
            for (const TempoChange& change : original.tempos)
                if (nearest_step(change.tick, original.ticks_per_quarter, 12) <= step) in_force = change.us_per_quarter;
            EXPECT_EQ(TimedTokenizer::bin_of_tempo(heard.tempo_at(static_cast<std::uint32_t>(step) * tokenizer.ticks_per_step())),
                      TimedTokenizer::bin_of_tempo(in_force))
                << path << " at step " << step;
            ++notes;
        }
        ++files;
        changing += !written.tempos.empty();
    }
    EXPECT_GT(files, 0);
    std::cout << files << " files, " << notes << " notes at their tempo; " << changing << " change tempo\n";
}

// Whether the pedal is down on some pitched channel once every change up to `step` (on the grid)
// has been made.
bool pedal_down_at(const Score& score, std::int64_t step, int grid) {
    std::array<bool, 16> down{};
    for (const PedalChange& c : score.pedals)
        if (c.channel != drum_channel && nearest_step(c.tick, score.ticks_per_quarter, grid) <= step) down[c.channel & 15] = c.down;
    return std::find(down.begin(), down.end(), true) != down.end();
}

TEST(TimedTokenizerCorpus, PedalChangesSurviveTheTripOnTheGrid) {
    const std::vector<std::filesystem::path> folders = corpus_folders();
    if (folders.empty()) GTEST_SKIP() << "no corpus on this machine";
    const TimedTokenizer tokenizer({12, 0, TimeTokens::bars, Instruments::piano, false, true, true});
    std::int64_t files = 0, pedalled = 0, onsets = 0, down = 0;
    for (const std::filesystem::path& path : find_midi_files(folders)) {
        const Score original = score_from_midi(midi::read_midi_file(path));
        const Tokens tokens = tokenizer.tokenize(original);
        const Score written = through_bytes(tokenizer.decode(tokens, original.tempo_us));
        EXPECT_EQ(tokenizer.tokenize(written), tokens) << path;
        // At every onset, the pedal is down or up as in the file once the onset's step is reached.
        std::int64_t last = -1;
        for (const Note& n : original.notes) {
            const std::int64_t step = nearest_step(n.start_tick, original.ticks_per_quarter, 12);
            if (n.channel == drum_channel || step == last) continue;
            last = step;
            const bool in_file = pedal_down_at(original, step, 12);
            EXPECT_EQ(pedal_down_at(written, step, 12), in_file) << path << " at step " << step;
            ++onsets;
            down += in_file;
        }
        ++files;
        pedalled += !written.pedals.empty();
    }
    EXPECT_GT(files, 0);
    std::cout << files << " files, " << onsets << " onsets, " << down << " of them with the pedal down; " << pedalled
              << " pedal\n";
}

}  // namespace pianola::music
