// Sustain: the pedal read from a file (controller 64) and applied to durations. Fixtures are
// MidiFiles built event by event at 480 ticks a beat and 120 BPM (a beat is 0.5 s).
#include <gtest/gtest.h>

#include <vector>

#include "midi/MidiFile.h"
#include "music/BassPedal.h"
#include "music/Score.h"
#include "music/Sustain.h"
#include "music/TimedTokenizer.h"

namespace pianola::music {
namespace {

using midi::status::control_change;
using midi::status::note_off;
using midi::status::note_on;

struct Span {
    std::uint32_t start, end;
    int pitch;
    double end_s;
    bool operator==(const Span&) const = default;
};

std::vector<Span> spans(const Score& score) {
    std::vector<Span> out;
    for (const Note& n : score.notes) out.push_back({n.start_tick, n.end_tick, n.pitch, n.end_s});
    return out;
}

void note(midi::Track& t, std::uint32_t start, std::uint32_t end, int pitch, int channel = 0) {
    t.add_channel_event(start, static_cast<std::uint8_t>(note_on | channel), static_cast<std::uint8_t>(pitch), 90);
    t.add_channel_event(end, static_cast<std::uint8_t>(note_off | channel), static_cast<std::uint8_t>(pitch), 0);
}

void pedal(midi::Track& t, std::uint32_t tick, int value, int channel = 0) {
    t.add_channel_event(tick, static_cast<std::uint8_t>(control_change | channel), 64, static_cast<std::uint8_t>(value));
}

// Events of one track, put in tick order (stable: the order written within a tick).
Score score_of_track(midi::Track track) {
    std::stable_sort(track.events.begin(), track.events.end(),
                     [](const midi::Event& a, const midi::Event& b) { return a.tick < b.tick; });
    track.add_payload_event(track.events.back().tick, midi::status::meta, midi::meta::end_of_track, {});
    midi::MidiFile file;
    file.format = 0;
    file.division = 480;
    file.tracks.push_back(std::move(track));
    return score_from_midi(file);
}

TEST(Sustain, ANoteRingsUntilThePedalLiftsOrItsKeyIsStruckAgain) {
    midi::Track t;
    pedal(t, 0, 127);
    note(t, 0, 240, 60);      // released under the pedal: rings to the lift at 1920
    note(t, 0, 240, 64);      // struck again at 960: cut there
    note(t, 960, 1200, 64);   // rings to the lift
    pedal(t, 1920, 0);
    note(t, 1920, 2100, 67);  // released with the pedal up: as held
    pedal(t, 2400, 64);       // 64 counts as down
    note(t, 2400, 2500, 69);  // the pedal lifts exactly at its release: as held
    pedal(t, 2500, 63);
    note(t, 2600, 2700, 71, 1);  // another channel's pedal was down: as held
    note(t, 2600, 2700, 36, drum_channel);
    const Score score = score_of_track(t);
    ASSERT_EQ(score.pedals.size(), 4u);
    EXPECT_EQ(score.pedals[1], (PedalChange{1920, 2.0, 0, false}));
    EXPECT_TRUE(score.pedals[2].down);

    const Score played = sustained(score);
    EXPECT_TRUE(played.pedals.empty());
    EXPECT_EQ(spans(played), (std::vector<Span>{{0, 1920, 60, 2.0}, {0, 960, 64, 1.0}, {960, 1920, 64, 2.0},
                                                {1920, 2100, 67, 2.1875}, {2400, 2500, 69, 2.5 + 100 / 960.0},
                                                {2600, 2700, 36, 2.8125}, {2600, 2700, 71, 2.8125}}));
    const Score as_heard = heard(score);
    EXPECT_EQ(spans(as_heard), spans(played));
    EXPECT_EQ(as_heard.pedals, score.pedals) << "heard keeps the pedal, for how much of the time it is down";
}

// The pedal a pianist's legato would give a piece without one: down at the first onset, changed
// where the bass moves (not where it stays, nor sooner than a beat after the last change), lifted at
// the last note's end; the drums and a channel with a pedal of its own left alone.
TEST(Sustain, APieceIsPedalledAtItsBassChangesAtMostOnceABeat) {
    midi::Track t;
    note(t, 0, 200, 48);
    note(t, 0, 200, 60);     // the bass is the lowest note of an onset
    note(t, 240, 400, 48);   // the same bass: no change
    note(t, 240, 400, 64);
    note(t, 480, 600, 50);   // a new bass a beat after the press: changed
    note(t, 720, 800, 52);   // a new bass half a beat after: not yet
    note(t, 960, 1100, 55);  // changed
    note(t, 960, 1300, 67);
    note(t, 0, 100, 36, drum_channel);
    note(t, 0, 100, 70, 1);
    pedal(t, 50, 127, 1);
    pedal(t, 90, 0, 1);
    Score score = score_of_track(t);
    pedal_at_bass_changes(score);
    const auto on = [](std::uint32_t tick, bool down, std::uint8_t channel = 0) {
        return PedalChange{tick, tick / 960.0, channel, down};
    };
    EXPECT_EQ(score.pedals, (std::vector<PedalChange>{on(0, true), on(50, true, 1), on(90, false, 1), on(480, false),
                                                      on(480, true), on(960, false), on(960, true), on(1300, false)}));
    // Heard: each note rings to the next change or its key's next strike; the drum and the other channel as held.
    EXPECT_EQ(spans(heard(score)), (std::vector<Span>{{0, 100, 36, 100 / 960.0}, {0, 240, 48, 0.25}, {0, 480, 60, 0.5},
                                                      {0, 100, 70, 100 / 960.0}, {240, 480, 48, 0.5}, {240, 480, 64, 0.5},
                                                      {480, 960, 50, 1.0}, {720, 960, 52, 1.0}, {960, 1300, 55, 1300 / 960.0},
                                                      {960, 1300, 67, 1300 / 960.0}}));
}

TEST(Sustain, APedalNeverLiftedHoldsItsNotesToThePiecesLastNoteOff) {
    midi::Track t;
    note(t, 0, 100, 60);  // before the pedal: as held
    pedal(t, 200, 100);
    note(t, 240, 300, 62);
    note(t, 480, 960, 65);
    const Score played = sustained(score_of_track(t));
    EXPECT_EQ(spans(played), (std::vector<Span>{{0, 100, 60, 100 / 960.0}, {240, 960, 62, 1.0}, {480, 960, 65, 1.0}}));
}

TEST(Sustain, TheTimedTokenizerReadsThePedalIntoDurationsWhenAsked) {
    midi::Track t;
    pedal(t, 0, 127);
    note(t, 0, 120, 60);
    pedal(t, 960, 0);
    const Score score = score_of_track(t);
    EXPECT_EQ(TimedTokenizer().tokenize(score), (std::vector<std::string>{"bar", "meter:4/4", "pos:0", "pitch:60", "dur:3"}));
    TimedOptions pedal;
    pedal.sustain = true;
    EXPECT_EQ(TimedTokenizer(pedal).tokenize(score), (std::vector<std::string>{"bar", "meter:4/4", "pos:0", "pitch:60", "dur:24"}));
}

}  // namespace
}  // namespace pianola::music
