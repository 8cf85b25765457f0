// TempoMap: turns ticks into seconds across every tempo change of a file.
// Tempo events are collected from all tracks (format 0/1 keep them in the first track, but real
// files put them anywhere). SMPTE division has a fixed tick length and ignores tempo events.
#pragma once

#include <cstdint>
#include <vector>

#include "midi/MidiFile.h"

namespace pianola::midi {

class TempoMap {
public:
    explicit TempoMap(const MidiFile& file);

    double seconds_at(std::uint32_t tick) const;
    // Microseconds per quarter note in force at `tick` (500000, i.e. 120 BPM, before any tempo event).
    std::uint32_t tempo_at(std::uint32_t tick) const;

private:
    struct Segment {
        std::uint32_t tick;
        double seconds;              // time at `tick`
        double seconds_per_tick;
        std::uint32_t us_per_quarter;
    };
    const Segment& segment_at(std::uint32_t tick) const;  // the segment in force at `tick`

    std::vector<Segment> segments_;  // sorted by tick, first at tick 0
};

}  // namespace pianola::midi
