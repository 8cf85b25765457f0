// CopyIndex against brute force on random pieces; IntervalSpeller's transposition invariance;
// the chord and key primer's notes; MusicStats on pieces whose numbers are known by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include "eval/CopyIndex.h"
#include "eval/KeyEstimate.h"
#include "eval/MusicStats.h"
#include "eval/PieceEvaluation.h"
#include "music/ChordSymbol.h"
#include "music/IntervalSpeller.h"

namespace pianola {
namespace {

using Symbols = std::vector<std::int32_t>;

// Does `run` occur inside one of `pieces`?
bool occurs(const std::vector<Symbols>& pieces, std::span<const std::int32_t> run) {
    for (const Symbols& p : pieces)
        if (std::search(p.begin(), p.end(), run.begin(), run.end()) != p.end()) return true;
    return false;
}

std::size_t brute_longest(const std::vector<Symbols>& pieces, const Symbols& query) {
    std::size_t best = 0;
    for (std::size_t i = 0; i < query.size(); ++i)
        for (std::size_t n = 1; i + n <= query.size(); ++n)
            if (occurs(pieces, std::span(query).subspan(i, n))) best = std::max(best, n);
    return best;
}

TEST(CopyIndex, MatchesBruteForceOnRandomPieces) {
    std::mt19937 rng(3);
    for (int round = 0; round < 30; ++round) {
        const int alphabet = 2 + round % 4;  // small alphabets: long repeats and many ties
        std::uniform_int_distribution<int> symbol(0, alphabet - 1), length(0, 40);
        std::vector<Symbols> pieces(static_cast<std::size_t>(1 + round % 5));
        for (Symbols& p : pieces)
            for (int i = length(rng); i > 0; --i) p.push_back(symbol(rng));
        const eval::CopyIndex index(pieces);
        Symbols query;
        for (int i = length(rng); i > 0; --i) query.push_back(symbol(rng));
        EXPECT_EQ(index.longest_shared_run(query), brute_longest(pieces, query)) << round;
        for (std::size_t n = 1; n <= 4 && n <= query.size(); ++n) {
            const eval::CopyIndex::Share share = index.ngrams_found(query, n);
            std::size_t found = 0;
            for (std::size_t i = 0; i + n <= query.size(); ++i) found += occurs(pieces, std::span(query).subspan(i, n));
            EXPECT_EQ(share.found, found);
            EXPECT_EQ(share.total, query.size() - n + 1);
        }
        // Followers of each prefix of the query: exactly the symbols s with prefix + s found.
        for (std::size_t n = 0; n <= query.size(); ++n) {
            const auto prefix = std::span(query).first(n);
            const eval::CopyIndex::Range range = index.find(prefix);
            if (n > 0) {
                EXPECT_EQ(!range.empty(), occurs(pieces, prefix));
            }
            if (range.empty()) break;
            std::vector<std::int32_t> followers;
            index.followers(range, followers);
            Symbols expected;
            for (int s = 0; s < alphabet; ++s) {
                Symbols longer(prefix.begin(), prefix.end());
                longer.push_back(s);
                if (occurs(pieces, longer)) expected.push_back(s);
            }
            EXPECT_EQ(followers, expected) << round << " " << n;
        }
    }
}

TEST(CopyIndex, RunsDoNotCrossPieces) {
    const eval::CopyIndex index({{1, 2, 3}, {4, 5}});
    EXPECT_EQ(index.longest_shared_run(Symbols{1, 2, 3}), 3u);
    EXPECT_EQ(index.longest_shared_run(Symbols{2, 3, 4, 5}), 2u);  // 3 then 4 only across the seam
    EXPECT_EQ(index.longest_shared_run(Symbols{9, 9}), 0u);
    EXPECT_THROW(eval::CopyIndex({{1, -2}}), std::invalid_argument);
}

TEST(IntervalSpeller, TransposedPassagesSpellAlike) {
    const music::TimedTokenizer tokenizer;
    std::vector<std::string> tokens{"bar", "pos:0", "dur:12", "pos:12", std::string(music::piece_start_token)};
    for (int p = 40; p < 90; ++p) tokens.push_back("pitch:" + std::to_string(p));
    const music::Vocabulary vocabulary(tokens);
    const music::IntervalSpeller speller(tokenizer, vocabulary);
    const auto passage = [&](int key) {
        return vocabulary.encode({"bar", "pos:0", "pitch:" + std::to_string(key), "dur:12", "pitch:" + std::to_string(key + 7),
                                  "dur:12", "pos:12", "pitch:" + std::to_string(key + 4), "dur:12"});
    };
    EXPECT_EQ(speller.spell(passage(48)), speller.spell(passage(53)));
    EXPECT_NE(speller.spell(passage(48)), speller.spell(vocabulary.encode({"bar", "pos:0", "pitch:48", "dur:12",
                                                                           "pitch:56", "dur:12", "pos:12", "pitch:52", "dur:12"})));
    for (const std::int32_t s : speller.spell(passage(60))) EXPECT_LT(s, speller.alphabet());
}

TEST(IntervalSpeller, SeedChordsSpellByShapeAndStep) {
    const music::SeedTokenizer tokenizer;
    const music::Vocabulary vocabulary({"C4", "G4", "D4", "A4", "0.4.7", "2.6.9", "7.11.2", "9.1.4"});
    const music::IntervalSpeller speller(tokenizer, vocabulary);
    // C4 0.4.7 G4 7.11.2 moved up a whole tone is D4 2.6.9 A4 9.1.4.
    EXPECT_EQ(speller.spell(vocabulary.encode({"C4", "0.4.7", "G4", "7.11.2"})),
              speller.spell(vocabulary.encode({"D4", "2.6.9", "A4", "9.1.4"})));
    EXPECT_NE(speller.spell(vocabulary.encode({"C4", "0.4.7"})), speller.spell(vocabulary.encode({"C4", "2.6.9"})));
}

TEST(ChordSymbol, ChordsAndKeys) {
    using P = std::vector<std::uint8_t>;
    EXPECT_EQ(music::chord_pitches("C"), (P{48, 52, 55}));
    EXPECT_EQ(music::chord_pitches("Am"), (P{57, 60, 64}));
    EXPECT_EQ(music::chord_pitches("F#m7"), (P{54, 57, 61, 64}));
    EXPECT_EQ(music::chord_pitches("Bbmaj7"), (P{58, 62, 65, 69}));
    EXPECT_EQ(music::chord_pitches("D minor"), (P{50, 53, 57}));
    EXPECT_EQ(music::chord_pitches("E-flat major"), (P{51, 55, 58}));
    EXPECT_EQ(music::chord_pitches("Cb"), (P{59, 63, 66}));
    for (const char* bad : {"", "H", "Cmajor7th", "C##", "7"}) EXPECT_THROW(music::chord_pitches(bad), std::invalid_argument) << bad;
}

// Quarter notes at 120 BPM, 480 ticks per beat, one after another.
music::Score melody(const std::vector<int>& pitches) {
    music::Score score;
    for (std::size_t i = 0; i < pitches.size(); ++i) {
        music::Note n;
        n.start_tick = static_cast<std::uint32_t>(480 * i);
        n.end_tick = n.start_tick + 480;
        n.start_s = 0.5 * static_cast<double>(i);
        n.end_s = n.start_s + 0.5;
        n.pitch = static_cast<std::uint8_t>(pitches[i]);
        score.notes.push_back(n);
    }
    return score;
}

TEST(MusicStats, KnownByHand) {
    // The C major scale up to C5, which then sounds five more times: 7 pitch classes, C 7 times.
    const eval::MusicStats s = eval::music_stats(melody({60, 62, 64, 65, 67, 69, 71, 72, 72, 72, 72, 72, 72}));
    EXPECT_EQ(s.notes, 13);
    EXPECT_EQ(s.pitch_range, 12);
    EXPECT_EQ(s.pitch_classes, 7);
    EXPECT_DOUBLE_EQ(s.scale_consistency, 1.0);
    EXPECT_DOUBLE_EQ(s.polyphony, 1.0);
    EXPECT_NEAR(s.notes_per_second, 2.0, 1e-12);  // 13 notes over 6.5 s
    EXPECT_EQ(s.distinct_intervals, 1);
    EXPECT_EQ(s.longest_repeat, 6);
    // 10 runs of 4 onsets; four C5s a beat apart come twice (the last onset has no gap after it).
    EXPECT_NEAR(s.distinct_4grams, 9.0 / 10.0, 1e-12);
    double h = 0;
    for (const double c : {7.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}) h -= c / 13 * std::log2(c / 13);
    EXPECT_NEAR(s.pitch_class_entropy, h, 1e-12);
    EXPECT_NEAR(s.pitch_class_histogram[0], 7.0 / 13, 1e-12);
    EXPECT_DOUBLE_EQ(s.pitch_class_histogram[1], 0);
    EXPECT_DOUBLE_EQ(s.ioi_entropy, 0);  // every onset a beat after the last

    music::Score chord = melody({60, 64, 67});
    for (music::Note& n : chord.notes) n.start_tick = 0, n.end_tick = 480, n.start_s = 0, n.end_s = 0.5;
    EXPECT_DOUBLE_EQ(eval::music_stats(chord).polyphony, 3.0);
    EXPECT_THROW(eval::music_stats(music::Score{}), std::invalid_argument);
    music::Score drums = melody({36, 42});
    for (music::Note& n : drums.notes) n.channel = music::drum_channel;
    EXPECT_FALSE(eval::measurable(drums));
    EXPECT_FALSE(eval::measurable(music::Score{}));
    EXPECT_TRUE(eval::measurable(chord));
    try {
        eval::music_stats(drums);
        FAIL() << "drums alone were measured";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "the piece has drums only: no pitched notes to measure");
    }
}

TEST(MusicStats, TheFullestScaleIsTheOneHoldingTheMostNotes) {
    std::array<double, 12> notes{};
    for (const std::size_t c : {9, 11, 0, 2, 4, 5, 8}) notes[c] = 2;  // A harmonic minor
    notes[7] = 1;                                                       // a G: C major holds 13 notes, A minor 14
    const std::array<bool, 12> scale = eval::fullest_scale(notes);
    for (const std::size_t c : {9, 11, 0, 2, 4, 5, 8}) EXPECT_TRUE(scale[c]) << c;
    EXPECT_FALSE(scale[7]);
}

TEST(KeyEstimate, TellsTheTonicAndModeWhereTheFullestScaleCannot) {
    std::array<double, 12> c_major{}, a_minor{};
    for (const auto& [c, n] : std::vector<std::pair<std::size_t, double>>{{0, 4}, {2, 2}, {4, 3}, {5, 2}, {7, 3}, {9, 2}, {11, 2}})
        c_major[c] = n;
    // A natural minor has C major's notes: the tonic and the fifth, weighing most, tell them apart.
    for (const auto& [c, n] : std::vector<std::pair<std::size_t, double>>{{9, 4}, {11, 2}, {0, 3}, {2, 2}, {4, 3}, {5, 2}, {7, 2}})
        a_minor[c] = n;
    const eval::Key c = eval::estimate_key(c_major), a = eval::estimate_key(a_minor);
    EXPECT_EQ(c.tonic, 0);
    EXPECT_FALSE(c.minor);
    EXPECT_EQ(a.tonic, 9);
    EXPECT_TRUE(a.minor);
    EXPECT_EQ(a.triad(), (std::array<int, 3>{9, 0, 4}));
    EXPECT_EQ(c.triad(), (std::array<int, 3>{0, 4, 7}));
    std::array<double, 12> g_major{};
    for (std::size_t pc = 0; pc < 12; ++pc) g_major[(pc + 7) % 12] = c_major[pc];
    EXPECT_EQ(eval::estimate_key(g_major).tonic, 7);
    EXPECT_EQ(eval::estimate_key({}).tonic, 0);  // nothing heard: C major
}

TEST(MusicStats, KnowsWhetherAPieceEndsOnItsTonic) {
    EXPECT_EQ(eval::music_stats(melody({60, 64, 67, 65, 62, 67, 60, 64, 67, 72, 67, 60})).ends_on_tonic, 1);
    EXPECT_EQ(eval::music_stats(melody({60, 64, 67, 65, 62, 67, 60, 64, 67, 72, 67, 62})).ends_on_tonic, 0);
    // The last onset counts by its lowest note: a C under a G ends on the tonic.
    music::Score ending = melody({60, 64, 67, 65, 62, 67, 60, 64, 67, 72, 67, 48});
    music::Note top = ending.notes.back();
    top.pitch = 67;
    ending.notes.push_back(top);
    EXPECT_EQ(eval::music_stats(ending).ends_on_tonic, 1);
}

TEST(MusicStats, CountsTheInstrumentsTheDrumsAsOneAndTheLoudnessRange) {
    music::Score band = melody({60, 64, 67, 65, 62, 67});
    EXPECT_EQ(eval::music_stats(band).instruments, 1);
    band.notes[1].program = 33;
    band.notes[2].channel = music::drum_channel;
    band.notes[3].channel = music::drum_channel;
    band.notes[3].pitch = 42;
    band.notes[4].velocity = 20;
    band.notes[5].velocity = 110;
    const eval::MusicStats s = eval::music_stats(band);
    EXPECT_EQ(s.instruments, 3);
    EXPECT_EQ(s.velocity_range, 90);
    EXPECT_EQ(s.notes, 4) << "the drums play no pitches";
}

// Eight notes, 4 s from the first onset to the last end: the pedal's share of that time.
TEST(MusicStats, MeasuresHowMuchOfThePieceThePedalHolds) {
    music::Score piece = melody({60, 62, 64, 65, 67, 65, 64, 62});
    EXPECT_EQ(eval::music_stats(piece).pedal_share, 0);
    const auto pedal = [](double seconds, std::uint8_t channel, bool down) { return music::PedalChange{0, seconds, channel, down}; };
    // Down 0.5-1.5 s on channel 0, again while down (nothing changes), then 1.0-2.0 s on channel 1
    // (overlapping: 0.5-2.0 s in all), then down at 3.0 s and never lifted (to the end, 4.0 s).
    piece.pedals = {pedal(0.5, 0, true), pedal(0.7, 0, true), pedal(1.0, 1, true), pedal(1.5, 0, false),
                    pedal(2.0, 1, false), pedal(3.0, 0, true)};
    EXPECT_DOUBLE_EQ(eval::music_stats(piece).pedal_share, (1.5 + 1.0) / 4.0);
}

// Eight onsets at ticks 0 to 3360: only the changes after the first and up to the last are heard.
TEST(MusicStats, CountsTheTempoChangesHeardAndHowFarTheTempoMoves) {
    music::Score piece = melody({60, 62, 64, 65, 67, 65, 64, 62});
    EXPECT_EQ(eval::music_stats(piece).tempo_changes, 0);
    EXPECT_EQ(eval::music_stats(piece).tempo_spread, 1);
    piece.tempo_us = 600000;
    // At the first onset (the piece's tempo, not a change), then 120 -> 100 -> 150 BPM, then after the last onset.
    piece.tempos = {{0, 500000}, {960, 600000}, {1920, 400000}, {3360, 450000}, {3361, 1000000}};
    const eval::MusicStats s = eval::music_stats(piece);
    EXPECT_EQ(s.tempo_changes, 3);
    EXPECT_DOUBLE_EQ(s.tempo_spread, 600000.0 / 400000.0);
    piece.tempos = {{0, 500000}, {3361, 1000000}};
    EXPECT_EQ(eval::music_stats(piece).tempo_changes, 0) << "a change before the notes or after them is not heard";
    EXPECT_EQ(eval::music_stats(piece).tempo_spread, 1);
}

TEST(MusicStats, FlagsLoopsFarOutsideTheHumanRange) {
    std::vector<int> varied, stuck(40, 60), cycle;
    for (int i = 0; i < 40; ++i) varied.push_back(60 + (i * 7) % 12);
    for (int i = 0; i < 40; ++i) cycle.push_back(60 + i % 3);
    const std::vector<eval::MusicStats> human{eval::music_stats(melody(varied)), eval::music_stats(melody({60, 62, 64, 60, 62, 64, 65, 67}))};
    EXPECT_FALSE(eval::looks_degenerate(eval::music_stats(melody(varied)), human));
    EXPECT_TRUE(eval::looks_degenerate(eval::music_stats(melody(stuck)), human));
    EXPECT_TRUE(eval::looks_degenerate(eval::music_stats(melody(cycle)), human));
}

TEST(PieceEvaluation, CopiesAreFoundInAnyKey) {
    std::vector<int> tune;
    for (int i = 0; i < 30; ++i) tune.push_back(60 + (i * 5) % 12);
    std::vector<int> moved = tune, fresh;
    for (int& p : moved) p += 3;
    for (int i = 0; i < 30; ++i) fresh.push_back(60 + (i * i) % 13);
    const eval::Evaluation e = eval::evaluate_pieces({{"copy", melody(tune)}, {"moved", melody(moved)}, {"fresh", melody(fresh)}},
                                                     {{"held", melody(fresh)}}, {music::TimedTokenizer().tokenize(melody(tune))});
    ASSERT_EQ(e.composed.size(), 3u);
    EXPECT_EQ(e.composed[0].copy_exact, e.composed[0].tokens);
    EXPECT_DOUBLE_EQ(e.composed[0].shared_8grams, 1.0);
    EXPECT_LT(e.composed[1].copy_exact, 10u);                      // not in the same key...
    EXPECT_GE(e.composed[1].copy_any_key, e.composed[1].tokens - 2);  // ...but all of it, transposed, bar the start
    EXPECT_LT(e.composed[2].copy_any_key, 20u);
    EXPECT_EQ(e.held_out.size(), 1u);
}

}  // namespace
}  // namespace pianola
