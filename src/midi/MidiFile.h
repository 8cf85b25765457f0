// MidiFile: a Standard MIDI File in memory, as close to the bytes as is useful.
// Events keep absolute ticks and their raw status, so a file can be written back unchanged
// and printed record by record; the reader's warnings about odd bytes it read past travel with it.
// It deliberately holds no notes or seconds: src/music pairs note-ons with note-offs, and
// TempoMap turns ticks into seconds.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pianola::midi {

namespace status {
inline constexpr std::uint8_t note_off = 0x80, note_on = 0x90, poly_pressure = 0xA0,
                              control_change = 0xB0, program_change = 0xC0, channel_pressure = 0xD0,
                              pitch_bend = 0xE0, sysex = 0xF0, sysex_escape = 0xF7, meta = 0xFF;

// Tune request (F6) and the real-time bytes (F8..FE) are system messages without data bytes,
// so one byte is the whole event. In a file, FF is a meta event instead.
inline constexpr bool is_one_byte_system(std::uint8_t status) {
    return status == 0xF6 || (status >= 0xF8 && status < meta);
}
}  // namespace status

namespace meta {
inline constexpr std::uint8_t sequence_number = 0x00, text = 0x01, copyright = 0x02, track_name = 0x03,
                              instrument_name = 0x04, lyric = 0x05, marker = 0x06, cue_point = 0x07,
                              channel_prefix = 0x20, port_prefix = 0x21, end_of_track = 0x2F,
                              tempo = 0x51, smpte_offset = 0x54, time_signature = 0x58,
                              key_signature = 0x59, sequencer_specific = 0x7F;
}

// One event of a track. Channel voice messages keep their data bytes in d1/d2; meta and SysEx
// events keep their payload in the track's byte pool (payload_offset, payload_size), so that a
// parsed file is a few flat arrays rather than one allocation per event.
struct Event {
    std::uint32_t tick = 0;            // absolute, from the start of the track
    std::uint8_t status = 0;           // 0x80..0xEF (with channel), 0xF0, 0xF7, 0xFF or a one-byte system status
    std::uint8_t meta_type = 0;        // only for status 0xFF
    std::uint8_t d1 = 0, d2 = 0;       // channel voice data bytes (d2 unused by 0xC0/0xD0)
    std::uint32_t payload_offset = 0;  // meta/SysEx payload in Track::payload
    std::uint32_t payload_size = 0;

    bool is_channel() const { return status >= 0x80 && status < 0xF0; }
    std::uint8_t kind() const { return is_channel() ? status & 0xF0 : status; }  // status without channel
    std::uint8_t channel() const { return status & 0x0F; }                       // 0..15; 9 is drums
    bool is_meta(std::uint8_t type) const { return status == status::meta && meta_type == type; }
    bool is_note_on() const { return kind() == status::note_on && d2 > 0; }
    // A note-on with velocity 0 ends a note, as the standard says.
    bool is_note_off() const { return kind() == status::note_off || (kind() == status::note_on && d2 == 0); }
};

struct Track {
    std::vector<Event> events;          // in file order, ticks non-decreasing
    std::vector<std::uint8_t> payload;  // meta/SysEx bytes referenced by events

    std::span<const std::uint8_t> payload_of(const Event& e) const {
        return {payload.data() + e.payload_offset, e.payload_size};
    }
    // Appends an event that carries payload bytes (meta or SysEx).
    void add_payload_event(std::uint32_t tick, std::uint8_t status, std::uint8_t meta_type,
                           std::span<const std::uint8_t> bytes);
    void add_channel_event(std::uint32_t tick, std::uint8_t status, std::uint8_t d1, std::uint8_t d2 = 0);
    void add_one_byte_system_event(std::uint32_t tick, std::uint8_t status);
};

// Something odd that the reader read past instead of refusing the file (src/midi/README.md lists
// the cases). Each kind is reported once per file, at the first place it occurs.
struct ReadWarning {
    std::uint64_t offset = 0;  // counted as FileError offsets are
    std::string message;       // one line, without the offset

    std::string text() const { return message + " (byte " + std::to_string(offset) + ")"; }
};

struct MidiFile {
    std::uint16_t format = 1;     // 0: one track, 1: simultaneous tracks, 2: independent sequences
    std::uint16_t division = 480; // raw header word: ticks per quarter, or SMPTE when bit 15 is set
    std::vector<Track> tracks;
    std::vector<ReadWarning> warnings;  // in the order of their offsets; ignored by the writer

    bool is_smpte() const { return (division & 0x8000) != 0; }
    std::uint16_t ticks_per_quarter() const { return division & 0x7FFF; }
};

}  // namespace pianola::midi
