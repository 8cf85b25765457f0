#include "midi/MidiFile.h"

namespace pianola::midi {

void Track::add_payload_event(std::uint32_t tick, std::uint8_t status, std::uint8_t meta_type,
                              std::span<const std::uint8_t> bytes) {
    Event e;
    e.tick = tick;
    e.status = status;
    e.meta_type = meta_type;
    e.payload_offset = static_cast<std::uint32_t>(payload.size());
    e.payload_size = static_cast<std::uint32_t>(bytes.size());
    payload.insert(payload.end(), bytes.begin(), bytes.end());
    events.push_back(e);
}

void Track::add_channel_event(std::uint32_t tick, std::uint8_t status, std::uint8_t d1, std::uint8_t d2) {
    Event e;
    e.tick = tick;
    e.status = status;
    e.d1 = d1;
    e.d2 = d2;
    events.push_back(e);
}

void Track::add_one_byte_system_event(std::uint32_t tick, std::uint8_t status) {
    Event e;
    e.tick = tick;
    e.status = status;
    events.push_back(e);
}

}  // namespace pianola::midi
