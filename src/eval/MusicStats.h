// MusicStats: what a piece does musically, in numbers that compare composed pieces with human
// ones (`pianola evaluate`, and generation's loop check): pitch range, pitch classes and their
// entropy, how well one major or minor scale holds the notes, polyphony, density, rhythmic
// variety, two loop measures over its onsets, whether it ends on its key's tonic (an onset: the
// pitches that start together and the time to the next onset), how varied the notes' lengths are
// (articulation: every note one length sounds mechanical), how many instruments play, how
// far the loudness ranges, how much of the time the sustain pedal is down, and how often and how
// far the tempo moves while the piece plays.
// Drums are left out of all but the instruments. Copying is measured elsewhere (CopyIndex).
// It does not judge: `evaluate` puts the numbers beside held-out human pieces' numbers.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "music/Score.h"

namespace pianola::eval {

struct MusicStats {
    int notes = 0;
    int pitch_range = 0;              // semitones from the lowest to the highest note
    int pitch_classes = 0;            // distinct pitch classes used, of 12
    double pitch_class_entropy = 0;   // bits, over the notes' pitch classes (at most log2 12 = 3.58)
    std::array<double, 12> pitch_class_histogram{};  // share of the notes on each pitch class, C first
    double scale_consistency = 0;     // the largest share of notes in one major or harmonic minor scale
    double polyphony = 0;             // notes sounding at once, averaged over the time anything sounds
    double notes_per_second = 0;      // from the first onset to the last note's end
    int distinct_intervals = 0;       // distinct times between onsets, on a 1/48-beat grid
    double ioi_entropy = 0;           // bits, over the times between onsets on a 1/12-beat grid
    double duration_entropy = 0;      // bits, over the notes' lengths on a 1/12-beat grid (8 beats and longer as one)
    int longest_repeat = 0;           // the longest run of one onset repeated back to back
    double distinct_4grams = 0;       // distinct runs of 4 onsets over all such runs (1: no run repeats)
    int ends_on_tonic = 0;            // 1 where the last onset's lowest note is the tonic of the piece's key (estimate_key)
    int instruments = 0;              // distinct General MIDI programs of the notes, and the drums as one more
    int velocity_range = 0;           // from the softest note to the loudest (0: one loudness throughout)
    double pedal_share = 0;           // of the time from the first onset to the last note's end, the sustain pedal down
    int tempo_changes = 0;            // changes of the tempo after the first onset, up to the last
    double tempo_spread = 1;          // the fastest tempo in force over those onsets over the slowest (1: one tempo)
};

// Throws std::invalid_argument for a score without non-drum notes (saying so where it has drums).
MusicStats music_stats(const music::Score& score);
// Whether music_stats measures the score: it holds a pitched (non-drum) note. A band model's piece,
// or a drum track's file, may have drums only.
bool measurable(const music::Score& score);

// The major or harmonic minor scale (scale_consistency's) that holds the most of `notes`, counted
// by pitch class from C: whether each pitch class is in it. Ties go to the lower tonic, major first.
std::array<bool, 12> fullest_scale(const std::array<double, 12>& notes);

// The statistics by name, in the order above, for tables and JSON.
struct StatField {
    std::string_view name;
    double MusicStats::*real = nullptr;
    int MusicStats::*integer = nullptr;
    double get(const MusicStats& s) const { return real ? s.*real : s.*integer; }
};
const std::vector<StatField>& stat_fields();

// A piece in a loop, far outside what `human` (held-out human pieces) do: under half the share of
// distinct 4-onset runs of the most repetitive of them, or a repeat over twice their longest.
// Human pieces repeat a lot (a folk tune's distinct share goes down to 0.07), so only the
// collapse of the original design's argmax output is meant to be caught, not a refrain.
bool looks_degenerate(const MusicStats& piece, const std::vector<MusicStats>& human);

}  // namespace pianola::eval
