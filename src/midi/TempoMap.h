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
    struct Change {
        std::uint32_t tick;
        std::uint32_t us_per_quarter;  // above 0
        bool operator==(const Change&) const = default;
    };

    explicit TempoMap(const MidiFile& file);
    // A map of ticks at `ticks_per_quarter` (above 0): `start_us` from tick 0, then each change
    // (by tick) from its tick on. Throws std::invalid_argument for a tempo of 0 or changes out of order.
    TempoMap(std::uint16_t ticks_per_quarter, std::uint32_t start_us, const std::vector<Change>& changes);

    double seconds_at(std::uint32_t tick) const;
    // Microseconds per quarter note in force at `tick` (500000, i.e. 120 BPM, before any tempo event).
    std::uint32_t tempo_at(std::uint32_t tick) const;
    // Each tick after 0 where the tempo changes to a different one, with that tempo (none with
    // SMPTE division, which tempo events do not time).
    std::vector<Change> changes() const;

private:
    struct Segment {
        std::uint32_t tick;
        double seconds;              // time at `tick`
        double seconds_per_tick;
        std::uint32_t us_per_quarter;
    };
    const Segment& segment_at(std::uint32_t tick) const;  // the segment in force at `tick`
    // Appends `change` (at or after the last segment's tick; at its tick it replaces its tempo).
    void add(const Change& change, double seconds_per_tick);

    std::vector<Segment> segments_;  // sorted by tick, first at tick 0
    bool smpte_ = false;
};

}  // namespace pianola::midi
