// MidiReader: a single pass over the bytes with raw pointers and explicit end checks, so a parse
// costs a few comparisons per event and every error or warning knows its byte offset.
// Odd-file choices follow Debian's midicsv where the standard leaves room (see README.md); it is
// not a general RIFF or chunk library: only MThd, MTrk and the RMID "data" chunk mean anything.
#include "midi/MidiReader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "io/Gzip.h"

namespace pianola::midi {

namespace {

std::uint32_t big_endian_32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
std::uint16_t big_endian_16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t little_endian_32(const std::uint8_t* p) {
    return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}
bool has_tag(const std::uint8_t* p, const char* tag) { return std::memcmp(p, tag, 4) == 0; }

// The oddities read past with a warning. Each kind is reported once per file, at its first
// place with a count of the rest, so a file with a thousand odd events gives one line.
enum class Oddity { riff_data_cut_short, unknown_format, no_tracks, track_cut_short, no_end_of_track,
                    long_variable_length, one_byte_system_event, kinds };

// Parses uncompressed file bytes: an SMF, or an SMF inside a RIFF wrapper. Offsets in errors
// and warnings count from the start of the bytes, so they stay true inside the wrapper.
class Parser {
public:
    Parser(std::span<const std::uint8_t> file, const std::string& name) : file_(file), name_(name) {}

    MidiFile parse() {
        const std::uint8_t* const begin = file_.data();
        const std::uint8_t* const end = begin + file_.size();
        MidiFile file = end - begin >= 4 && has_tag(begin, "RIFF") ? parse_riff(begin, end) : parse_smf(begin, end);
        file.warnings = take_warnings();
        return file;
    }

private:
    // RIFF MIDI (RMID): "RIFF" size "RMID", then chunks of id, little-endian size and data padded
    // to an even length; the SMF is the "data" chunk. The RIFF size is not trusted: some writers
    // get it wrong, and the chunk walk is bounded by the real end of the bytes anyway.
    MidiFile parse_riff(const std::uint8_t* begin, const std::uint8_t* end) {
        if (end - begin < 12 || !has_tag(begin + 8, "RMID")) fail("not a MIDI file: RIFF file of another form than RMID", begin);
        const std::uint8_t* p = begin + 12;
        while (end - p >= 8) {
            const std::uint32_t length = little_endian_32(p + 4);
            const auto available = static_cast<std::size_t>(end - p - 8);
            if (has_tag(p, "data")) {
                // A cut data chunk is a cut SMF: its tracks decide what can still be read.
                if (length > available)
                    warn(Oddity::riff_data_cut_short, p + 4,
                         [&] { return "RIFF data chunk" + cut_short_text(length, available); });
                return parse_smf(p + 8, p + 8 + std::min<std::size_t>(length, available));
            }
            if (length > available) fail("RIFF chunk length runs past the end of the file", p + 4);
            const std::size_t padded = std::size_t{length} + (length & 1);
            if (padded > available) break;
            p += 8 + padded;
        }
        fail("RIFF MIDI file has no data chunk", p);
    }

    MidiFile parse_smf(const std::uint8_t* begin, const std::uint8_t* end) {
        if (end - begin < 4 || !has_tag(begin, "MThd")) fail("not a MIDI file: missing MThd header", begin);
        if (end - begin < 8) fail("truncated MThd header", end);
        const std::uint32_t header_length = big_endian_32(begin + 4);
        if (header_length < 6) fail("MThd header length " + std::to_string(header_length) + " is shorter than 6", begin + 4);
        if (header_length > static_cast<std::size_t>(end - begin - 8)) fail("truncated MThd header", end);

        MidiFile file;
        file.format = big_endian_16(begin + 8);
        const std::uint16_t track_count = big_endian_16(begin + 10);
        file.division = big_endian_16(begin + 12);
        // Nothing in pianola depends on the format beyond what the tracks hold, so an unknown one
        // costs nothing to read; midicsv prints it as it is.
        if (file.format > 2)
            warn(Oddity::unknown_format, begin + 8, [&] {
                return "unknown MIDI file format " + std::to_string(file.format) + ", read as format 1";
            });
        check_division(file, begin + 12);
        if (track_count == 0) {
            warn(Oddity::no_tracks, begin + 10, [] { return std::string("the header announces no tracks"); });
            return file;
        }

        // The header announces the track count; like midicsv, bytes after that many tracks are
        // ignored (some writers pad files), and chunks of other types are skipped.
        const std::uint8_t* p = begin + 8 + header_length;
        // A track takes at least 12 bytes (chunk header and end-of-track): a 14-byte file that
        // announces 65535 tracks gets no large reservation.
        file.tracks.reserve(std::min<std::size_t>(track_count, static_cast<std::size_t>(end - p) / 12));
        while (file.tracks.size() < track_count) {
            if (p == end) {
                if (file.tracks.empty()) fail("no tracks: the header announces " + std::to_string(track_count), p);
                fail("the header announces " + std::to_string(track_count) + " tracks but the file holds " +
                         std::to_string(file.tracks.size()), p);
            }
            if (end - p < 8) fail("truncated chunk header", p);
            const bool is_track = has_tag(p, "MTrk");
            const std::uint32_t length = big_endian_32(p + 4);
            const auto available = static_cast<std::size_t>(end - p - 8);
            const std::size_t number = file.tracks.size() + 1;  // from 1, as midicsv numbers tracks
            if (length <= available) {
                if (is_track) file.tracks.push_back(parse_track(p + 8, p + 8 + length, number, false));
                p += 8 + length;
                continue;
            }
            if (!is_track) fail("chunk length " + std::to_string(length) + " runs past the end of the file", p + 4);
            // A file cut short, or a writer that got the last track's length wrong: the events that
            // are there are read, as midicsv reads them, and the file must not end inside one.
            warn(Oddity::track_cut_short, p + 4,
                 [&] { return "track " + std::to_string(number) + cut_short_text(length, available); });
            file.tracks.push_back(parse_track(p + 8, end, number, true));
            p = end;
        }
        return file;
    }

    static std::string cut_short_text(std::uint32_t length, std::size_t available) {
        return " length " + std::to_string(length) + " runs past the end of the file, which holds " +
               std::to_string(available) + " of its bytes";
    }

    // A tick length of zero (or an unknown SMPTE rate) would make every later time a guess.
    void check_division(const MidiFile& file, const std::uint8_t* at) const {
        if (!file.is_smpte()) {
            if (file.ticks_per_quarter() == 0) fail("division is 0 ticks per quarter note", at);
            return;
        }
        const int frames_per_second = -static_cast<std::int8_t>(file.division >> 8);
        if (frames_per_second != 24 && frames_per_second != 25 && frames_per_second != 29 && frames_per_second != 30)
            fail("SMPTE division has an unknown frame rate " + std::to_string(frames_per_second), at);
        if ((file.division & 0xFF) == 0) fail("SMPTE division has 0 ticks per frame", at);
    }

    // `cut_short`: the file ends before the chunk does, so [begin, end) is what the file holds.
    Track parse_track(const std::uint8_t* begin, const std::uint8_t* end, std::size_t number, bool cut_short) {
        overrun_message_ =
            cut_short ? "the file ends in the middle of an event" : "event runs past the end of the track chunk";
        Track track;
        // Events take 3 to 4 bytes each in typical files, so this avoids most regrowth; the cap
        // keeps a chunk that is one huge SysEx from reserving five times its size.
        constexpr std::size_t max_reserved_events = std::size_t{1} << 20;
        track.events.reserve(std::min(static_cast<std::size_t>(end - begin) / 3, max_reserved_events));
        std::uint64_t tick = 0;
        std::uint8_t running_status = 0;  // per track: midicsv resets it at each MTrk
        const std::uint8_t* p = begin;
        while (p < end) {
            const std::uint8_t* delta_at = p;
            tick += read_variable_length(p, end);
            if (tick > std::numeric_limits<std::uint32_t>::max()) fail("absolute tick passes 2^32 - 1", delta_at);
            const auto tick32 = static_cast<std::uint32_t>(tick);
            if (p == end) fail(overrun_message_, delta_at);

            const std::uint8_t* event_at = p;
            std::uint8_t status = *p;
            if (status < 0x80) {
                // midicsv prints such bytes as events of status 0 and then reads the data bytes as
                // delta times: no reading of the music, so this stays an error.
                if (running_status == 0) fail("running status with no previous status byte", event_at);
                status = running_status;
            } else {
                ++p;
            }

            if (status < 0xF0) {
                // Data bytes are taken as they come, even with bit 7 set, as midicsv takes them.
                running_status = status;
                const std::uint8_t kind = status & 0xF0;
                const std::ptrdiff_t data_bytes = kind == status::program_change || kind == status::channel_pressure ? 1 : 2;
                if (end - p < data_bytes) fail(overrun_message_, event_at);
                track.add_channel_event(tick32, status, p[0], data_bytes == 2 ? p[1] : 0);
                p += data_bytes;
            } else if (status == status::meta || status == status::sysex || status == status::sysex_escape) {
                // running_status survives: midicsv keeps it across meta and SysEx events. The
                // standard cancels it there, so standard files never lean on it and parse alike.
                std::uint8_t meta_type = 0;
                if (status == status::meta) {
                    if (p == end) fail(overrun_message_, event_at);
                    meta_type = *p++;
                }
                const std::uint32_t length = read_variable_length(p, end);
                if (length > static_cast<std::size_t>(end - p)) fail(overrun_message_, event_at);
                track.add_payload_event(tick32, status, meta_type, {p, length});
                p += length;
                // Whatever follows end-of-track in the chunk is ignored, as midicsv does; its
                // length byte is not checked, since no reader needs it to be 0.
                if (status == status::meta && meta_type == meta::end_of_track) return track;
            } else if (status::is_one_byte_system(status)) {
                // These have no data bytes, so one byte is the whole event: midicsv reads them
                // so, keeps running status across them and prints them as unknown events.
                warn(Oddity::one_byte_system_event, event_at, [&] {
                    return "system message " + hex(status) + " in a track, read as a one-byte event";
                });
                track.add_one_byte_system_event(tick32, status);
            } else {
                // F1..F5 carry data bytes (or are undefined) that midicsv takes for delta times;
                // reading them its way would be reading garbage, and any other way would differ.
                fail("system message byte " + hex(status) + " is not allowed in a track", event_at);
            }
        }
        // The events are all there but the marker is not; a cut-short track was reported as such.
        if (!cut_short)
            warn(Oddity::no_end_of_track, end,
                 [&] { return "track " + std::to_string(number) + " has no end-of-track event"; });
        return track;
    }

    // Reads a delta time or length: 7 bits a byte, high bit set on all but the last. The standard
    // allows 4 bytes; midicsv reads any number, so a longer one is read with a warning as long as
    // its value fits in 4 bytes (padded with leading 0x80 bytes): a larger one no writer can
    // write back, so it is refused.
    std::uint32_t read_variable_length(const std::uint8_t*& p, const std::uint8_t* end) {
        const std::uint8_t* start = p;
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            if (p == end) fail(overrun_message_, start);
            const std::uint8_t byte = *p++;
            value = value << 7 | (byte & 0x7F);
            if (byte < 0x80) return value;
        }
        return read_long_variable_length(start, p, end, value);
    }

    // The rest of a quantity past its 4th byte. Out of line, so that read_variable_length stays small
    // enough to be inlined into the event loop (inlined, this cost a tenth of the parse speed).
    [[gnu::noinline]] std::uint32_t read_long_variable_length(const std::uint8_t* start, const std::uint8_t*& p,
                                                              const std::uint8_t* end, std::uint32_t value) {
        constexpr std::uint32_t max_value = 0x0FFFFFFF;  // 4 bytes of 7 bits
        std::uint8_t byte = 0;
        do {
            if (p == end) fail(overrun_message_, start);
            if (value > max_value >> 7) fail("variable-length quantity passes 2^28 - 1, the most 4 bytes hold", start);
            byte = *p++;
            value = value << 7 | (byte & 0x7F);
        } while (byte >= 0x80);
        warn(Oddity::long_variable_length, start, [&] {
            return "variable-length quantity of " + std::to_string(p - start) + " bytes, over the standard's 4";
        });
        return value;
    }

    // `message` builds the text; it is called for the first sighting of a kind only.
    template <typename Message>
    void warn(Oddity kind, const std::uint8_t* at, Message&& message) {
        Sighting& sighting = sightings_[static_cast<std::size_t>(kind)];
        if (sighting.count++ == 0) sighting.warning = {static_cast<std::uint64_t>(at - file_.data()), message()};
    }

    std::vector<ReadWarning> take_warnings() {
        std::vector<ReadWarning> warnings;
        for (Sighting& sighting : sightings_) {
            if (sighting.count == 0) continue;
            if (sighting.count > 1)
                sighting.warning.message += " (and " + std::to_string(sighting.count - 1) + " more)";
            warnings.push_back(std::move(sighting.warning));
        }
        std::stable_sort(warnings.begin(), warnings.end(),
                         [](const ReadWarning& a, const ReadWarning& b) { return a.offset < b.offset; });
        return warnings;
    }

    static std::string hex(std::uint8_t byte) {
        static constexpr char digits[] = "0123456789ABCDEF";
        return std::string("0x") + digits[byte >> 4] + digits[byte & 0xF];
    }

    [[noreturn]] void fail(const std::string& message, const std::uint8_t* at) const {
        throw FileError(name_, message, static_cast<std::uint64_t>(at - file_.data()));
    }

    struct Sighting {
        std::size_t count = 0;
        ReadWarning warning;
    };

    std::span<const std::uint8_t> file_;
    const std::string& name_;
    const char* overrun_message_ = "";  // what running past the current track's end means
    std::array<Sighting, static_cast<std::size_t>(Oddity::kinds)> sightings_{};
};

}  // namespace

MidiFile read_midi(std::span<const std::uint8_t> bytes, const std::string& name) {
    // Inflated once only: a gzip inside a gzip is not MIDI, and unwrapping layers without end
    // would let a self-reproducing gzip file loop forever.
    if (has_gzip_magic(bytes)) {
        const std::vector<std::uint8_t> inflated = gunzip(bytes, name);
        return Parser(inflated, name).parse();
    }
    return Parser(bytes, name).parse();
}

MidiFile read_midi_file(const std::filesystem::path& path) {
    return read_midi(read_file(path), path.string());
}

}  // namespace pianola::midi
