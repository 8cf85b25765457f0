#include "music/AddedParts.h"

#include <array>
#include <cmath>
#include <stdexcept>

namespace pianola::music {

midi::MidiFile add_parts(const midi::MidiFile& given, const Score& parts, std::optional<std::uint8_t> program) {
    if (given.is_smpte()) throw std::invalid_argument("a file timed in SMPTE frames has no beats to place parts on");
    if (given.format == 2) throw std::invalid_argument("a format 2 file holds independent sequences: no one to add parts to");
    Score placed = parts;
    const std::uint16_t division = given.ticks_per_quarter();
    const auto tick = [&](std::uint32_t t) {
        return static_cast<std::uint32_t>(std::llround(static_cast<double>(t) * division / parts.ticks_per_quarter));
    };
    placed.ticks_per_quarter = division;
    for (Note& note : placed.notes) {
        note.start_tick = tick(note.start_tick);
        note.end_tick = tick(note.end_tick);
    }
    placed.meters.clear();  // the file keeps its own: the parts' tempo and meter track is not added
    const midi::MidiFile added = midi_from_score(placed, program);

    // The parts' pitched channels (0, 1, ... as midi_from_score numbers them) move to the channels
    // the file leaves free, in order; where it leaves none, they share its last.
    std::array<bool, 16> used{};
    for (const midi::Track& track : given.tracks)
        for (const midi::Event& e : track.events)
            if (e.is_channel()) used[e.channel()] = true;
    std::array<std::uint8_t, 16> moved{};
    std::uint8_t free = 0;
    for (std::uint8_t c = 0; c < 16; ++c) {
        if (c == drum_channel) {
            moved[c] = c;
            continue;
        }
        while (free < 16 && (free == drum_channel || used[free])) ++free;
        moved[c] = free < 16 ? free++ : 15;
    }

    midi::MidiFile out = given;
    out.format = 1;
    out.warnings.clear();
    for (std::size_t t = 1; t < added.tracks.size(); ++t) {  // its first is its tempo track: the file has its own
        midi::Track track = added.tracks[t];
        for (midi::Event& e : track.events)
            if (e.is_channel()) e.status = static_cast<std::uint8_t>(e.kind() | moved[e.channel()]);
        out.tracks.push_back(std::move(track));
    }
    return out;
}

}  // namespace pianola::music
