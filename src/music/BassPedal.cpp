#include "music/BassPedal.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace pianola::music {

void pedal_at_bass_changes(Score& score, double min_gap_beats) {
    std::array<bool, 16> has_pedal{};
    for (const PedalChange& change : score.pedals) has_pedal[change.channel & 15] = true;
    // Per channel: each onset tick's lowest pitch, and where the last note ends.
    std::array<std::map<std::uint32_t, std::uint8_t>, 16> bass;
    std::array<std::uint32_t, 16> end{};
    for (const Note& n : score.notes) {
        const std::size_t channel = n.channel & 15;
        if (channel == drum_channel || has_pedal[channel]) continue;
        auto [at, fresh] = bass[channel].try_emplace(n.start_tick, n.pitch);
        if (!fresh) at->second = std::min(at->second, n.pitch);
        end[channel] = std::max(end[channel], n.end_tick);
    }
    const auto gap = static_cast<std::uint32_t>(std::lround(min_gap_beats * score.ticks_per_quarter));
    for (std::size_t channel = 0; channel < 16; ++channel) {
        if (bass[channel].empty()) continue;
        const auto ch = static_cast<std::uint8_t>(channel);
        std::uint8_t held = 0;
        std::uint32_t pressed = 0;
        for (const auto& [tick, low] : bass[channel]) {
            const bool first = tick == bass[channel].begin()->first;
            if (!first && (low == held || tick - pressed < gap)) continue;
            if (!first) score.pedals.push_back({tick, 0, ch, false});
            score.pedals.push_back({tick, 0, ch, true});
            held = low;
            pressed = tick;
        }
        score.pedals.push_back({end[channel], 0, ch, false});
    }
    // By tick; on one tick a lift before the press that follows it, as pushed.
    std::stable_sort(score.pedals.begin(), score.pedals.end(),
                     [](const PedalChange& a, const PedalChange& b) { return a.tick < b.tick; });
    time_in_seconds(score);
}

}  // namespace pianola::music
