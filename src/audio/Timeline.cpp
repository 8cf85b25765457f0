// Bars are laid out in ticks, where time signatures live, and only then turned into seconds, so a
// tempo change inside a bar moves the bar lines after it as a player would.
#include "audio/Timeline.h"

#include <algorithm>
#include <cmath>

namespace pianola::audio {

namespace {

// A bar line every pixel of a wide picture is still only thousands; this bounds the memory a
// file of billions of ticks at one tick per quarter could ask for.
constexpr std::size_t max_bar_lines = 1 << 20;

struct Meter {
    std::uint32_t tick;
    double bar_ticks;
};

std::vector<Meter> meters(const midi::MidiFile& file, std::uint32_t ticks_per_quarter) {
    std::vector<Meter> changes{{0, 4.0 * ticks_per_quarter}};
    std::vector<Meter> found;
    for (const midi::Track& track : file.tracks)
        for (const midi::Event& e : track.events) {
            if (!e.is_meta(midi::meta::time_signature) || e.payload_size < 2) continue;
            const auto p = track.payload_of(e);
            const int numerator = p[0], denominator_power = p[1];
            // 2^7 is a 128th note, the shortest any notation uses; past it the event is garbage.
            if (numerator == 0 || denominator_power > 7) continue;
            found.push_back({e.tick, numerator * 4.0 * ticks_per_quarter / (1 << denominator_power)});
        }
    std::stable_sort(found.begin(), found.end(), [](const Meter& a, const Meter& b) { return a.tick < b.tick; });
    for (const Meter& m : found) {
        if (m.tick == changes.back().tick)
            changes.back() = m;
        else
            changes.push_back(m);
    }
    return changes;
}

}  // namespace

std::uint32_t end_tick(const midi::MidiFile& file) {
    std::uint32_t end = 0;
    for (const midi::Track& track : file.tracks)
        if (!track.events.empty()) end = std::max(end, track.events.back().tick);
    return end;
}

double end_seconds(const midi::MidiFile& file, const midi::TempoMap& tempo) {
    return tempo.seconds_at(end_tick(file));
}

std::vector<BarLine> bar_lines(const midi::MidiFile& file, const midi::TempoMap& tempo,
                               std::uint32_t ticks_per_quarter) {
    const std::vector<Meter> changes = meters(file, ticks_per_quarter);
    const double end = end_tick(file);  // a bar starting there would hold no music
    std::vector<BarLine> bars;
    for (std::size_t i = 0; i < changes.size() && bars.size() < max_bar_lines; ++i) {
        const double until = i + 1 < changes.size() ? changes[i + 1].tick : end + 1;
        for (double tick = changes[i].tick; tick < until && (tick < end || bars.empty()) && bars.size() < max_bar_lines;
             tick += changes[i].bar_ticks)
            bars.push_back({tempo.seconds_at(static_cast<std::uint32_t>(std::lround(tick))),
                            static_cast<int>(bars.size()) + 1});
    }
    return bars;
}

}  // namespace pianola::audio
