// TimedTokenizer: tokens that keep a piece's rhythm. Every non-drum note is a pitch token and a
// duration token on a grid of steps per beat (a quarter note), behind a velocity level token where
// the level changes; where the notes start is told by bars, meters and positions in the bar (REMI
// style) or by time shifts since the last onset (TSD style). Rests are the time no note starts.
// Transposition moves pitch tokens only, and decoding reads any sequence (TimedDecoder), so a
// model's output always becomes well-formed notes.
// With instruments "all", a "prog:N" token (General MIDI program) stands before a note whose
// instrument differs from the last note's (the piano, 0, before any), and a drum note is "drum:K"
// (its key, which transposition leaves alone) in place of a pitch: one model learns a band. With
// "piano" (the default) drums and programs are left out, and a decoded piece is one instrument.
// With `sustain`, the sustain pedal is read into durations (music/Sustain: a note lasts as long
// as it rings), so a decoded piece needs no pedal to sound as the corpus did; by default a note
// lasts as long as its key is held (measured: the README's "The sustain pedal"). With `tempo`, a
// "tempo:BPM" token follows the time token of the first onset (the piece's tempo), and a
// "tempo:+K" or "tempo:-K" token that of each step where the tempo, on a grid of 16 bins an octave,
// moves by K bins (a ritardando is a run of "tempo:-1"; relative, so that a model need not
// remember the piece's tempo to change it by a little); without it a decoded piece plays at one
// tempo. With `pedal`, "pedal:down" and "pedal:up" follow the time token (and tempo token) of each
// step where the sustain pedal, down on any pitched channel, goes down or lifts (a lift and a press
// on one step, the pianist's change of pedal at a new chord, are "pedal:up pedal:down"): one pedal
// for the piece, so that a model plays the pedal where `sustain` would bake it into durations. It
// deliberately leaves out other controllers, and tempo and pedal changes after the last onset or
// in the silence before the first (a pedal pressed before the first onset goes down at it).
// It is not the seed design's tokenizer (SeedTokenizer).
//
// Tokens: "bar", "meter:6/8", "pos:K" (steps into the bar), "shift:K" (steps since the last onset,
// 1 to a whole 4/4 bar; longer rests are several), "tempo:BPM" (quarters a minute, one of 120 x
// 2^(k/16) rounded, k = -32..32), "tempo:+K"/"tempo:-K" (K = 1..64 bins), "vel:L" (level 0 to
// levels - 1), "prog:N" (0..127), "pitch:P" or "drum:P" (MIDI key 0..127), "dur:D" (steps, at
// least 1), "pedal:down"/"pedal:up". A bar piece reads
//   bar meter:4/4 pos:0 tempo:120 vel:2 pitch:48 dur:24 pitch:60 dur:12 prog:32 pitch:36 dur:12 drum:36 dur:1 bar ...
//   ... pos:42 tempo:-1 pedal:up pedal:down pitch:60 dur:6 ...
// notes of one onset by instrument (programs in order, drums last), each in pitch order, then duration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "music/Score.h"

namespace pianola::music {

enum class TimeTokens : std::uint8_t { bars, shifts };
enum class Instruments : std::uint8_t { piano, all };

struct TimedOptions {
    int steps_per_beat = 12;     // 12 holds sixteenths and eighth triplets; 1..96
    int velocity_levels = 0;     // 0: no velocity tokens; else 2..16 equal bands of 1..127
    TimeTokens time = TimeTokens::bars;
    Instruments instruments = Instruments::piano;  // all: programs and drums as tokens
    bool sustain = false;        // a note lasts while the sustain pedal holds it (Sustain), not only its key
    bool tempo = false;          // the tempo and its changes as tokens
    bool pedal = false;          // the sustain pedal's presses and lifts as tokens (not with `sustain`)
    bool operator==(const TimedOptions&) const = default;
};

std::string_view time_tokens_name(TimeTokens time);             // "bars" or "shifts"
std::optional<TimeTokens> parse_time_tokens(std::string_view name);
std::string_view instruments_name(Instruments instruments);     // "piano" or "all"
std::optional<Instruments> parse_instruments(std::string_view name);

// One timed token, parsed. `value` is the step, level, key, numerator, tempo bin (0 to
// TimedTokenizer::tempo_bins - 1, slowest first), tempo change in bins (signed, not 0) or pedal
// (1 down, 0 up); `denominator` is a meter's.
struct TimedToken {
    enum class Kind : std::uint8_t { bar, meter, position, shift, tempo, tempo_change, pedal, velocity, program, pitch, drum, duration };
    Kind kind = Kind::bar;
    int value = 0, denominator = 0;
    bool operator==(const TimedToken&) const = default;
};

// nullopt for anything that is not a canonically spelled timed token (the piece-start token too).
std::optional<TimedToken> parse_timed_token(std::string_view token);
std::string timed_token_text(const TimedToken& token);

class TimedTokenizer {
public:
    static constexpr std::string_view name = "timed";
    // The longest piece, in ticks of its decoding: the largest delta time a MIDI file can hold, so
    // no decoded piece is ever unwritable.
    static constexpr std::uint32_t max_ticks = (1u << 28) - 1;
    // Notes decode at this velocity without velocity tokens: the seed design's plain mezzo-forte.
    static constexpr std::uint8_t default_velocity = 90;
    // Tempo tokens: bin k is 120 BPM x 2^((k - 32) / 16), 30 to 480 BPM in steps of 4.4% (about
    // what a listener tells apart); a tempo outside goes to the nearest end.
    static constexpr int tempo_bins = 65;
    static std::uint32_t tempo_of_bin(int bin);        // microseconds per quarter
    static int bin_of_tempo(std::uint32_t tempo_us);   // the nearest bin (on the logarithmic scale)

    // A note on the grid: what tokenize reads from a Score and the decoder builds.
    struct GridNote {
        std::int64_t onset, duration;  // steps
        std::uint8_t pitch, velocity;
        std::uint8_t program = 0;      // General MIDI; 0 for drums and with instruments "piano"
        bool drum = false;
    };

    // Throws std::invalid_argument for options out of range, and for `pedal` with `sustain` (the
    // pedal read into durations has no presses left to spell).
    explicit TimedTokenizer(TimedOptions options = {});
    const TimedOptions& options() const { return options_; }

    // Onsets and ends go to the nearest step (halves up), durations are at least one step, and a
    // meter takes effect at the first bar line at or after its tick. With `sustain`, ends are
    // where the pedal lets the notes go. Throws std::invalid_argument
    // for a piece longer than max_ticks once decoded.
    std::vector<std::string> tokenize(const Score& score) const;

    // The token moved by `semitones`: a pitch token's key (nullopt when it leaves MIDI's 0..127),
    // every other token as it is. Throws std::invalid_argument for a token that is not a timed one.
    std::optional<std::string> transpose(std::string_view token, int semitones) const;

    // The notes the tokens spell, ticks_per_quarter() ticks per beat, on channel 0 with their
    // programs (drums on channel 9), at `tempo_us` per beat unless tempo tokens say otherwise (one
    // before the first note is the piece's tempo). Tokens that do not fit where they stand are
    // skipped (TimedDecoder).
    Score decode(const std::vector<std::string>& tokens, std::uint32_t tempo_us) const;

    // Ticks per beat of decoded scores: a whole number of ticks per step, near 480 per beat.
    std::uint32_t ticks_per_step() const;
    std::uint16_t ticks_per_quarter() const;
    std::int64_t max_steps() const { return max_ticks / ticks_per_step(); }
    // A bar of numerator / denominator in steps (at least one).
    std::int64_t bar_steps(int numerator, int denominator) const;
    // The velocity a level decodes to (the middle of its band), and the level of a velocity.
    std::uint8_t velocity_of_level(int level) const;
    int level_of_velocity(std::uint8_t velocity) const;

private:
    TimedOptions options_;
};

// Reads timed tokens one at a time into notes and says which token may come next: the one
// grammar behind decoding (a token it does not accept is skipped) and generation (a token it does
// not accept is never sampled). Refused: a duration with no pitch before it, anything but a
// duration after a pitch (or drum), programs and drums with instruments "piano", tempo tokens
// without `tempo` or anywhere but right after a time token (or first, in the shifts style), a
// tempo after the first note, a tempo change before it, pedal tokens without `pedal` or anywhere
// but right after a time token or its tempo tokens (or a lift), a press while the pedal is down
// and a lift while it is up, a position that
// does not move forward within its bar, a meter after the bar's first position, time tokens of the
// other style, levels out of range, and any time past TimedTokenizer::max_ticks.
class TimedDecoder {
public:
    explicit TimedDecoder(const TimedTokenizer& tokenizer);

    // Where a piece stands in time: the bars begun (bar tokens read) and the current onset, in steps.
    struct Clock {
        std::int64_t bars = 0, step = 0;
    };

    bool accepts(const TimedToken& token) const;
    Clock clock() const;
    Clock clock_after(const TimedToken& token) const;  // once `token`, which it accepts, is read
    void push(const TimedToken& token);  // throws std::invalid_argument for a token it does not accept
    std::size_t notes() const { return notes_.size(); }
    std::int64_t bar_length() const { return bar_length_; }  // the current bar's, in steps (bars style; 4/4 before a meter)
    // The complete notes so far (a pitch without duration is left out), at `tempo_us` unless tempo
    // tokens were read (as TimedTokenizer::decode), with the pedal's changes on channel 0 (a pedal
    // still down lifts at the last note's end).
    Score score(std::uint32_t tempo_us) const;

private:
    bool fits(std::int64_t steps) const { return steps <= tokenizer_.max_steps(); }

    TimedTokenizer tokenizer_;        // a copy (three numbers), so a decoder outlives what made it
    std::int64_t time_ = 0;           // bars: the bar's start; shifts: the last onset
    std::int64_t bar_length_;         // bars only
    std::int64_t position_ = -1;      // bars: the current onset in the bar, -1 before the first
    bool in_bar_ = false;             // bars: a bar token has been read
    bool tempo_slot_;                 // a tempo token may come: right after a time token (shifts: or first)
    bool pedal_slot_;                 // a pedal token may come: after a time token and its tempo tokens, or a lift
    bool pedal_down_ = false;
    std::vector<std::pair<std::int64_t, bool>> pedal_changes_;  // (step, down)
    std::optional<int> start_tempo_;  // the bin of the tempo token (read before any note)
    std::vector<std::pair<std::int64_t, int>> tempo_changes_;  // (step, change in bins) of the changes after
    std::int64_t bars_ = 0;           // bar tokens read
    int pending_pitch_ = -1;          // a pitch (or drum key) waiting for its duration
    bool pending_drum_ = false;
    std::uint8_t velocity_ = TimedTokenizer::default_velocity;
    std::uint8_t program_ = 0;
    std::vector<TimedTokenizer::GridNote> notes_;
    std::vector<Meter> meters_;
};

}  // namespace pianola::music
