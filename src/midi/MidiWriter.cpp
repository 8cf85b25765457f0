// MidiWriter: appends big-endian words and variable-length quantities to one byte vector.
// A MidiFile that the format cannot hold (ticks going backwards, a gap or payload over 2^28 - 1,
// a status byte that is no event) is a programming error and throws std::invalid_argument; the
// writer does not otherwise judge the music (an empty file or odd division is written as asked).
#include "midi/MidiWriter.h"

#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "io/AtomicFile.h"

namespace pianola::midi {

namespace {

constexpr std::uint32_t max_variable_length = 0x0FFFFFFF;  // 4 bytes of 7 bits

void put_big_endian_16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

void store_big_endian_32(std::uint8_t* at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

// A chunk's four-letter tag, by resize and copy like the numbers: gcc 12 warns falsely (-Wrestrict)
// on inserting an initializer list into a reserved vector.
void put_tag(std::vector<std::uint8_t>& out, const char (&tag)[5]) {
    out.resize(out.size() + 4);
    std::memcpy(out.data() + out.size() - 4, tag, 4);
}

void put_big_endian_32(std::vector<std::uint8_t>& out, std::uint32_t value) {
    out.resize(out.size() + 4);
    store_big_endian_32(out.data() + out.size() - 4, value);
}

void put_variable_length(std::vector<std::uint8_t>& out, std::uint32_t value, const char* what) {
    if (value > max_variable_length)
        throw std::invalid_argument(std::string(what) + " " + std::to_string(value) + " does not fit a MIDI file");
    int shift = 21;
    while (shift > 0 && (value >> shift) == 0) shift -= 7;
    for (; shift > 0; shift -= 7) out.push_back(static_cast<std::uint8_t>(0x80 | ((value >> shift) & 0x7F)));
    out.push_back(static_cast<std::uint8_t>(value & 0x7F));
}

void put_event(std::vector<std::uint8_t>& out, const Track& track, const Event& e) {
    if (e.is_channel()) {
        out.push_back(e.status);
        out.push_back(e.d1);
        if (e.kind() != status::program_change && e.kind() != status::channel_pressure) out.push_back(e.d2);
        return;
    }
    if (status::is_one_byte_system(e.status)) {
        out.push_back(e.status);
        return;
    }
    if (e.status != status::meta && e.status != status::sysex && e.status != status::sysex_escape)
        throw std::invalid_argument("event status " + std::to_string(e.status) + " cannot be written to a MIDI file");
    out.push_back(e.status);
    if (e.status == status::meta) out.push_back(e.meta_type);
    const std::span<const std::uint8_t> payload = track.payload_of(e);
    put_variable_length(out, static_cast<std::uint32_t>(payload.size()), "payload size");
    out.insert(out.end(), payload.begin(), payload.end());
}

void put_track(std::vector<std::uint8_t>& out, const Track& track) {
    put_tag(out, "MTrk");
    const std::size_t length_at = out.size();
    put_big_endian_32(out, 0);  // patched once the events are written

    std::uint32_t tick = 0;
    for (const Event& e : track.events) {
        if (e.tick < tick)
            throw std::invalid_argument("track events go back in time, from tick " + std::to_string(tick) + " to " +
                                        std::to_string(e.tick));
        put_variable_length(out, e.tick - tick, "delta time");
        tick = e.tick;
        put_event(out, track, e);
    }
    if (track.events.empty() || !track.events.back().is_meta(meta::end_of_track))
        out.insert(out.end(), {0x00, status::meta, meta::end_of_track, 0x00});

    const std::size_t length = out.size() - length_at - 4;
    if (length > std::numeric_limits<std::uint32_t>::max()) throw std::invalid_argument("track is too long for a MIDI file");
    store_big_endian_32(out.data() + length_at, static_cast<std::uint32_t>(length));
}

}  // namespace

std::vector<std::uint8_t> write_midi(const MidiFile& file) {
    if (file.tracks.size() > std::numeric_limits<std::uint16_t>::max())
        throw std::invalid_argument("a MIDI file holds at most 65535 tracks");
    std::size_t estimate = 14;
    for (const Track& track : file.tracks) estimate += 12 + track.events.size() * 4 + track.payload.size();
    std::vector<std::uint8_t> out;
    out.reserve(estimate);

    put_tag(out, "MThd");
    put_big_endian_32(out, 6);
    put_big_endian_16(out, file.format);
    put_big_endian_16(out, static_cast<std::uint16_t>(file.tracks.size()));
    put_big_endian_16(out, file.division);
    for (const Track& track : file.tracks) put_track(out, track);
    return out;
}

void write_midi_file(const std::filesystem::path& path, const MidiFile& file) {
    write_file_atomically(path, write_midi(file));
}

}  // namespace pianola::midi
