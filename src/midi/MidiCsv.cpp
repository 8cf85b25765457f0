// MidiCsv: one record per event, written straight into one string. Field formats follow what
// midicsv 1.1 was seen to print on hand-made files (see README.md), not only its manual: data
// bytes are printed as they were read, even above 127, and a pitch bend is d2 << 7 | d1 unmasked.
#include "midi/MidiCsv.h"

#include <charconv>
#include <cstdint>
#include <span>

namespace pianola::midi {

namespace {

class CsvPrinter {
public:
    std::string print(const MidiFile& file) {
        record_start(0, 0, "Header");
        field(file.format);
        field(file.tracks.size());
        field(static_cast<std::int16_t>(file.division));  // SMPTE divisions print negative, as midicsv does
        end_record();
        for (std::size_t i = 0; i < file.tracks.size(); ++i) print_track(file.tracks[i], i + 1);
        record_start(0, 0, "End_of_file");
        end_record();
        return std::move(out_);
    }

private:
    void print_track(const Track& track, std::size_t number) {
        record_start(number, 0, "Start_track");
        end_record();
        for (const Event& e : track.events) {
            if (e.is_channel()) {
                print_channel_event(e, number);
            } else if (e.status == status::meta) {
                print_meta_event(e, track.payload_of(e), number);
            } else if (status::is_one_byte_system(e.status)) {
                print_one_byte_system_event(e, number);
            } else {
                record_start(number, e.tick, e.status == status::sysex ? "System_exclusive" : "System_exclusive_packet");
                bytes_with_length(track.payload_of(e));
                end_record();
            }
        }
        // A track built in code may lack its end-of-track; the writer adds one at the last tick,
        // so the text is the same before and after a round trip through a file.
        if (track.events.empty() || !track.events.back().is_meta(meta::end_of_track)) {
            record_start(number, track.events.empty() ? 0 : track.events.back().tick, "End_track");
            end_record();
        }
    }

    void print_channel_event(const Event& e, std::size_t number) {
        static constexpr const char* names[] = {"Note_off_c", "Note_on_c", "Poly_aftertouch_c", "Control_c",
                                                "Program_c",  "Channel_aftertouch_c", "Pitch_bend_c"};
        const std::uint8_t kind = e.kind();
        record_start(number, e.tick, names[(kind >> 4) - 8]);
        field(e.channel());
        if (kind == status::program_change || kind == status::channel_pressure) {
            field(e.d1);
        } else if (kind == status::pitch_bend) {
            field(e.d2 << 7 | e.d1);
        } else {
            field(e.d1);
            field(e.d2);
        }
        end_record();
    }

    // midicsv's "%02Xx": the status in upper-case hex, then a literal x.
    void print_one_byte_system_event(const Event& e, std::size_t number) {
        static constexpr char digits[] = "0123456789ABCDEF";
        record_start(number, e.tick, "Unknown_event");
        out_ += ", ";
        out_ += digits[e.status >> 4];
        out_ += digits[e.status & 0xF];
        out_ += 'x';
        end_record();
    }

    void print_meta_event(const Event& e, std::span<const std::uint8_t> payload, std::size_t number) {
        // midicsv decodes these fixed fields from the payload's first bytes and ignores any more.
        const auto byte = [&](std::size_t i) -> std::uint32_t { return i < payload.size() ? payload[i] : 0; };
        switch (e.meta_type) {
        case meta::sequence_number:
            record_start(number, e.tick, "Sequence_number");
            field(byte(0) << 8 | byte(1));
            break;
        case meta::text: text_record(number, e.tick, "Text_t", payload); break;
        case meta::copyright: text_record(number, e.tick, "Copyright_t", payload); break;
        case meta::track_name: text_record(number, e.tick, "Title_t", payload); break;
        case meta::instrument_name: text_record(number, e.tick, "Instrument_name_t", payload); break;
        case meta::lyric: text_record(number, e.tick, "Lyric_t", payload); break;
        case meta::marker: text_record(number, e.tick, "Marker_t", payload); break;
        case meta::cue_point: text_record(number, e.tick, "Cue_point_t", payload); break;
        case meta::channel_prefix:
            record_start(number, e.tick, "Channel_prefix");
            field(byte(0));
            break;
        case meta::port_prefix:
            record_start(number, e.tick, "MIDI_port");
            field(byte(0));
            break;
        case meta::end_of_track: record_start(number, e.tick, "End_track"); break;
        case meta::tempo:
            record_start(number, e.tick, "Tempo");
            field(byte(0) << 16 | byte(1) << 8 | byte(2));
            break;
        case meta::smpte_offset:
            record_start(number, e.tick, "SMPTE_offset");
            for (std::size_t i = 0; i < 5; ++i) field(byte(i));
            break;
        case meta::time_signature:
            record_start(number, e.tick, "Time_signature");
            for (std::size_t i = 0; i < 4; ++i) field(byte(i));
            break;
        case meta::key_signature:
            record_start(number, e.tick, "Key_signature");
            field(static_cast<std::int8_t>(byte(0)));  // sharps positive, flats negative
            out_ += byte(1) != 0 ? ", \"minor\"" : ", \"major\"";
            break;
        case meta::sequencer_specific:
            record_start(number, e.tick, "Sequencer_specific");
            bytes_with_length(payload);
            break;
        default:
            record_start(number, e.tick, "Unknown_meta_event");
            field(e.meta_type);
            bytes_with_length(payload);
            break;
        }
        end_record();
    }

    void text_record(std::size_t number, std::uint32_t tick, const char* type, std::span<const std::uint8_t> text) {
        record_start(number, tick, type);
        out_ += ", \"";
        for (const std::uint8_t c : text) {
            // midicsv escapes the C0 controls, DEL, the C1 controls and no-break space (0xA0) in
            // octal; the rest of Latin-1 passes as raw bytes, whatever the locale.
            if (c == '"') {
                out_ += "\"\"";
            } else if (c == '\\') {
                out_ += "\\\\";
            } else if (c < 0x20 || (c >= 0x7F && c <= 0xA0)) {
                out_ += '\\';
                out_ += static_cast<char>('0' + (c >> 6));
                out_ += static_cast<char>('0' + ((c >> 3) & 7));
                out_ += static_cast<char>('0' + (c & 7));
            } else {
                out_ += static_cast<char>(c);
            }
        }
        out_ += '"';
    }

    void bytes_with_length(std::span<const std::uint8_t> bytes) {
        field(bytes.size());
        for (const std::uint8_t b : bytes) field(b);
    }

    void record_start(std::size_t track, std::uint32_t tick, const char* type) {
        number(track);
        field(tick);
        out_ += ", ";
        out_ += type;
    }

    template <typename Integer>
    void field(Integer value) {
        out_ += ", ";
        number(value);
    }

    template <typename Integer>
    void number(Integer value) {
        char digits[24];
        const auto result = std::to_chars(digits, digits + sizeof digits, value);
        out_.append(digits, result.ptr);
    }

    void end_record() { out_ += '\n'; }

    std::string out_;
};

}  // namespace

std::string midi_csv(const MidiFile& file) { return CsvPrinter().print(file); }

}  // namespace pianola::midi
