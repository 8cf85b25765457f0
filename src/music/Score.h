// Score: the notes of a piece, paired from note-on/note-off events, with ticks and seconds.
// This is the one place that decides what a "note" is; tokenizers read Scores, never raw events.
// It keeps the time signatures (the timed tokenizer's bars), the tempo map, each track's program changes and
// meta marks (music21's reading, which the seed tokenizer follows, depends on them) and the
// sustain pedal, and deliberately drops other controllers, pitch bend and SysEx: pianola composes notes.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "midi/MidiFile.h"
#include "midi/TempoMap.h"

namespace pianola::music {

inline constexpr std::uint8_t drum_channel = 9;  // MIDI channel 10, General MIDI percussion

struct Note {
    std::uint32_t start_tick = 0, end_tick = 0;
    double start_s = 0, end_s = 0;
    std::uint8_t pitch = 60;     // MIDI key, 60 = middle C (C4)
    std::uint8_t velocity = 64;
    std::uint8_t channel = 0;
    std::uint8_t program = 0;    // General MIDI program in force on the channel at the onset (see below)
    std::uint16_t track = 0;
    std::uint32_t event = 0;     // its note-on's index among its track's events: file order within a tick
    bool unreleased = false;     // no note-off in its track: it ends at the track's last tick (see below)
};

// A track event other than a note that music21's MIDI reading turns into an element of the
// track's part: a program change (an instrument) or a time signature, key signature or tempo
// (elements without duration).
struct TrackMark {
    enum class Kind : std::uint8_t { program, meter, key, tempo };
    std::uint32_t tick = 0;
    std::uint16_t track = 0;
    Kind kind = Kind::program;
    std::uint8_t program = 0;  // for Kind::program
    bool operator==(const TrackMark&) const = default;
};

// A time signature from its tick on: numerator / denominator (a power of two, 1..64).
struct Meter {
    std::uint32_t tick = 0;
    std::uint8_t numerator = 4, denominator = 4;
    bool operator==(const Meter&) const = default;
};

// The sustain pedal (controller 64) pressed (a value of 64 or more, as General MIDI reads it) or
// lifted on a channel.
struct PedalChange {
    std::uint32_t tick = 0;
    double seconds = 0;
    std::uint8_t channel = 0;
    bool down = false;
    bool operator==(const PedalChange&) const = default;
};

// The tempo from a tick on, in microseconds per quarter.
using TempoChange = midi::TempoMap::Change;

struct Score {
    std::uint16_t ticks_per_quarter = 480;
    std::uint32_t tempo_us = 500000;  // tempo at the start, microseconds per quarter
    std::vector<TempoChange> tempos;  // after the start, by tick, each to a tempo other than the one before
    std::vector<Note> notes;          // sorted by start_tick, then pitch, track, channel (stable)
    std::vector<Meter> meters;        // by tick, at most one per tick; none is 4/4, as in MIDI
    std::vector<TrackMark> marks;     // by track, then file order
    std::vector<PedalChange> pedals;  // by tick, then track and file order; midi_from_score leaves them out
};

// Pairs each note-on with the next note-off of the same track, channel and pitch (first in,
// first out). A note still sounding at the end of its track ends at the track's last tick.
// A note's program is the last program change on its channel at or before its onset tick, from
// any track (format 1 files often set programs outside the track holding the notes).
// SMPTE files count ticks per frame: the Score makes a quarter one second of SMPTE time
// (ticks_per_quarter = frames per second x ticks per frame, tempo 1,000,000 us; 29.97 fps
// is counted as 30 with a tempo of 1,001,000 us), so its ticks and tempo keep the file's timing.
// Time signatures come from every track; of two on one tick the later in track order wins, and one
// no score could mean (numerator 0, denominator beyond 1/64) is ignored. Tempo changes come from
// every track too (none in SMPTE files, whose ticks they do not time).
Score score_from_midi(const midi::MidiFile& file);

// Sets every note's and pedal change's seconds from its ticks by the score's tempo map (tempo_us,
// then tempos). Throws std::invalid_argument for a tempo of 0 or changes out of tick order.
void time_in_seconds(Score& score);

// The score played from `tempo_us` (above 0) at its start, each tempo change by the same ratio: the
// piece as written, faster or slower. Retimes the seconds.
void set_start_tempo(Score& score, std::uint32_t tempo_us);

// A format 1 file: a tempo/meta track (tempo, tempo changes, the score's meters or else 4/4, end), then a track
// per instrument, named after it ("Drums", or the General MIDI program's name): the drums (notes on
// channel 9) on channel 9 without a program change, and each
// note program on a channel of its own (0, 1, ... skipping 9, in order of first onset; beyond 15
// programs the later ones play as the 15th). `program`, where given, is every non-drum note's.
// A sustain pedal change (controller 64) sounds on every pitched instrument with notes on the
// pedal's channel in the score.
// Ticks are kept at score.ticks_per_quarter; at one tick note-offs come before note-ons, so
// repeated notes stay whole. A note that ends inside an earlier note of its own pitch goes to a
// further track of its instrument (as many as such voices need): in one track, readers would pair
// it with the other's note-off. Throws std::invalid_argument for values a MIDI file cannot hold
// (division, tempo, pitch, program, meter) and tempo changes out of tick order.
midi::MidiFile midi_from_score(const Score& score, std::optional<std::uint8_t> program = std::nullopt);

}  // namespace pianola::music
