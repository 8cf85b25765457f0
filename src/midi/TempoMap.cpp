// TempoMap: one segment per distinct tempo tick, each holding the seconds already elapsed at its
// start, so a lookup is a binary search and one multiply-add, never a walk from tick 0.
// It does not validate the file beyond what division it can time; malformed tempo events (not
// 3 bytes, or 0 microseconds) are skipped, since one bad event should not make a file unplayable.
#include "midi/TempoMap.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pianola::midi {

namespace {

constexpr std::uint32_t default_us_per_quarter = 500000;  // 120 BPM, the standard's default

std::vector<TempoMap::Change> tempo_changes(const MidiFile& file) {
    std::vector<TempoMap::Change> changes;
    for (const Track& track : file.tracks)
        for (const Event& e : track.events) {
            if (!e.is_meta(meta::tempo) || e.payload_size != 3) continue;
            const std::span<const std::uint8_t> p = track.payload_of(e);
            const std::uint32_t us = std::uint32_t{p[0]} << 16 | std::uint32_t{p[1]} << 8 | p[2];
            if (us > 0) changes.push_back({e.tick, us});
        }
    // Stable, so of two changes at one tick the later in track order wins, as a player would
    // apply them.
    std::stable_sort(changes.begin(), changes.end(), [](const TempoMap::Change& a, const TempoMap::Change& b) { return a.tick < b.tick; });
    return changes;
}

// SMPTE division: the high byte is minus the frame rate (-29 stands for 29.97 drop-frame), the
// low byte is ticks per frame; tempo events then change no tick's length.
double smpte_seconds_per_tick(const MidiFile& file) {
    const int frame_code = -static_cast<std::int8_t>(file.division >> 8);
    const int ticks_per_frame = file.division & 0xFF;
    if (frame_code <= 0 || ticks_per_frame == 0)
        throw std::invalid_argument("SMPTE division " + std::to_string(file.division) + " has no tick length");
    const double frames_per_second = frame_code == 29 ? 30000.0 / 1001.0 : frame_code;
    return 1.0 / (frames_per_second * ticks_per_frame);
}

}  // namespace

TempoMap::TempoMap(const MidiFile& file) {
    if (!file.is_smpte() && file.ticks_per_quarter() == 0) throw std::invalid_argument("division of 0 ticks per quarter note");
    const double smpte_tick = file.is_smpte() ? smpte_seconds_per_tick(file) : 0.0;
    auto seconds_per_tick = [&](std::uint32_t us_per_quarter) {
        return file.is_smpte() ? smpte_tick : us_per_quarter / 1e6 / file.ticks_per_quarter();
    };

    segments_.push_back({0, 0.0, seconds_per_tick(default_us_per_quarter), default_us_per_quarter});
    for (const Change& change : tempo_changes(file)) add(change, seconds_per_tick(change.us_per_quarter));
    smpte_ = file.is_smpte();
}

TempoMap::TempoMap(std::uint16_t ticks_per_quarter, std::uint32_t start_us, const std::vector<Change>& changes) {
    if (ticks_per_quarter == 0) throw std::invalid_argument("division of 0 ticks per quarter note");
    const auto seconds_per_tick = [&](std::uint32_t us_per_quarter) {
        if (us_per_quarter == 0) throw std::invalid_argument("a tempo of 0 microseconds per quarter");
        return us_per_quarter / 1e6 / ticks_per_quarter;
    };
    segments_.push_back({0, 0.0, seconds_per_tick(start_us), start_us});
    for (const Change& change : changes) add(change, seconds_per_tick(change.us_per_quarter));
}

void TempoMap::add(const Change& change, double seconds_per_tick) {
    Segment& last = segments_.back();
    if (change.tick < last.tick) throw std::invalid_argument("tempo changes out of tick order");
    if (change.tick == last.tick) {
        last.us_per_quarter = change.us_per_quarter;
        last.seconds_per_tick = seconds_per_tick;
        return;
    }
    const double seconds = last.seconds + (change.tick - last.tick) * last.seconds_per_tick;
    segments_.push_back({change.tick, seconds, seconds_per_tick, change.us_per_quarter});
}

std::vector<TempoMap::Change> TempoMap::changes() const {
    std::vector<Change> changes;
    if (smpte_) return changes;
    for (std::size_t k = 1; k < segments_.size(); ++k)
        if (segments_[k].us_per_quarter != (changes.empty() ? segments_[0].us_per_quarter : changes.back().us_per_quarter))
            changes.push_back({segments_[k].tick, segments_[k].us_per_quarter});
    return changes;
}

double TempoMap::seconds_at(std::uint32_t tick) const {
    const Segment& s = segment_at(tick);
    return s.seconds + (tick - s.tick) * s.seconds_per_tick;
}

std::uint32_t TempoMap::tempo_at(std::uint32_t tick) const { return segment_at(tick).us_per_quarter; }

const TempoMap::Segment& TempoMap::segment_at(std::uint32_t tick) const {
    // The first segment starts at tick 0, so the one before upper_bound always exists.
    const auto after = std::upper_bound(segments_.begin(), segments_.end(), tick,
                                        [](std::uint32_t t, const Segment& s) { return t < s.tick; });
    return *(after - 1);
}

}  // namespace pianola::midi
