// The pedal is read per channel as a list of changes in time order; each note looks up the state
// just before its release, then the first lift after it and the next strike of its key, and keeps
// the earliest. The state at a release and the next strike are found by binary search; the walk
// to the next lift passes only the presses between (a pedal held down sends few).
#include "music/Sustain.h"

#include <algorithm>
#include <array>
#include <vector>

namespace pianola::music {

namespace {

// A time point: a tick and the seconds it falls at (so a moved end keeps its seconds exact).
struct Moment {
    std::uint32_t tick;
    double seconds;
};

}  // namespace

Score sustained(const Score& score) {
    Score played = score;
    played.pedals.clear();
    if (score.pedals.empty()) return played;

    std::array<std::vector<PedalChange>, 16> pedal;  // per channel, by tick
    for (const PedalChange& change : score.pedals) pedal[change.channel & 15].push_back(change);
    // Each key's strikes per channel, by tick: where a ringing note is cut.
    std::array<std::array<std::vector<Moment>, 128>, 16> strikes;
    Moment last_end{0, 0};
    for (const Note& n : score.notes) {
        strikes[n.channel & 15][n.pitch & 127].push_back({n.start_tick, n.start_s});
        if (n.end_tick > last_end.tick || (n.end_tick == last_end.tick && n.end_s > last_end.seconds)) last_end = {n.end_tick, n.end_s};
    }
    for (auto& channel : strikes)
        for (auto& key : channel)
            std::stable_sort(key.begin(), key.end(), [](const Moment& a, const Moment& b) { return a.tick < b.tick; });

    for (Note& n : played.notes) {
        if (n.channel == drum_channel) continue;
        const std::vector<PedalChange>& changes = pedal[n.channel & 15];
        const auto at_release = std::lower_bound(changes.begin(), changes.end(), n.end_tick,
                                                 [](const PedalChange& c, std::uint32_t tick) { return c.tick < tick; });
        if (at_release == changes.begin() || !std::prev(at_release)->down) continue;  // not held down before it
        bool lifted_there = false;
        auto lift = at_release;
        for (; lift != changes.end() && (lift->down || lift->tick == n.end_tick); ++lift)
            if (!lift->down && lift->tick == n.end_tick) lifted_there = true;
        if (lifted_there) continue;
        Moment end = last_end;
        if (lift != changes.end()) end = {lift->tick, lift->seconds};
        const std::vector<Moment>& key = strikes[n.channel & 15][n.pitch & 127];
        const auto next = std::upper_bound(key.begin(), key.end(), n.start_tick,
                                           [](std::uint32_t tick, const Moment& m) { return tick < m.tick; });
        if (next != key.end() && next->tick < end.tick) end = *next;
        if (end.tick <= n.end_tick) continue;
        n.end_tick = end.tick;
        n.end_s = end.seconds;
    }
    return played;
}

Score heard(const Score& score) {
    Score played = sustained(score);
    played.pedals = score.pedals;
    return played;
}

}  // namespace pianola::music
