// Score <-> MidiFile. Reading keeps every note of every channel (drums included: dropping them is
// a tokenizer's choice); writing produces the one plain layout pianola outputs, not a copy of the
// file a score came from.
#include "music/Score.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "midi/TempoMap.h"
#include "music/GeneralMidi.h"

namespace pianola::music {

namespace {

constexpr std::size_t channel_count = 16, pitch_count = 128;
constexpr std::uint8_t sustain_controller = 64;

// The notes waiting for their note-off, one first-in-first-out queue per (channel, pitch),
// threaded through note indices so that pairing allocates nothing per event.
class OpenNotes {
public:
    void clear() {
        first_.fill(none);
        last_.fill(none);
    }
    void push(std::size_t key, std::int32_t note) {
        if (next_.size() <= static_cast<std::size_t>(note)) next_.resize(static_cast<std::size_t>(note) + 1);
        next_[static_cast<std::size_t>(note)] = none;
        if (last_[key] == none)
            first_[key] = note;
        else
            next_[static_cast<std::size_t>(last_[key])] = note;
        last_[key] = note;
    }
    std::optional<std::int32_t> pop(std::size_t key) {
        const std::int32_t note = first_[key];
        if (note == none) return std::nullopt;
        first_[key] = next_[static_cast<std::size_t>(note)];
        if (first_[key] == none) last_[key] = none;
        return note;
    }

private:
    static constexpr std::int32_t none = -1;
    std::array<std::int32_t, channel_count * pitch_count> first_{}, last_{};
    std::vector<std::int32_t> next_;
};

std::size_t key_of(const midi::Event& e) { return e.channel() * pitch_count + e.d1; }

// Program changes by channel, across all tracks: format 1 files often set programs in a track
// other than the one holding the notes. Ties on a tick keep track order, then file order.
class ProgramMap {
public:
    explicit ProgramMap(const midi::MidiFile& file) {
        for (const midi::Track& track : file.tracks)
            for (const midi::Event& e : track.events)
                if (e.kind() == midi::status::program_change) changes_[e.channel()].push_back({e.tick, e.d1});
        for (auto& changes : changes_)
            std::stable_sort(changes.begin(), changes.end(),
                             [](const Change& a, const Change& b) { return a.tick < b.tick; });
    }
    // A change on the onset's own tick applies: files put it just before the note-on.
    std::uint8_t program_at(std::uint8_t channel, std::uint32_t tick) const {
        const auto& changes = changes_[channel];
        const auto after = std::upper_bound(changes.begin(), changes.end(), tick,
                                            [](std::uint32_t t, const Change& c) { return t < c.tick; });
        return after == changes.begin() ? 0 : std::prev(after)->program;
    }

private:
    struct Change {
        std::uint32_t tick;
        std::uint8_t program;
    };
    std::array<std::vector<Change>, channel_count> changes_;
};

// SMPTE files count ticks in frames, not quarters. A quarter becomes one second of SMPTE time,
// so a score written back with its ticks and tempo keeps the original timing. TempoMap has
// already rejected a division without a tick length.
void set_smpte_timing(const midi::MidiFile& file, Score& score) {
    const int frames_code = -static_cast<std::int8_t>(file.division >> 8);  // 24, 25, 29 (29.97) or 30
    const int ticks_per_frame = file.division & 0xFF;
    const int nominal_frames = frames_code == 29 ? 30 : frames_code;
    const double frames_per_second = frames_code == 29 ? 30000.0 / 1001.0 : frames_code;
    score.ticks_per_quarter = static_cast<std::uint16_t>(std::min(nominal_frames * ticks_per_frame, 0x7FFF));
    score.tempo_us = static_cast<std::uint32_t>(
        std::lround(1e6 * score.ticks_per_quarter / (frames_per_second * ticks_per_frame)));
}

// Time signatures of every track, one per tick. The denominator is stored as a power of two;
// above 2^6 no bar of the timed tokenizer's grid could be measured with it.
std::vector<Meter> meters_of(const midi::MidiFile& file) {
    std::vector<Meter> meters;
    for (const midi::Track& track : file.tracks)
        for (const midi::Event& e : track.events) {
            if (!e.is_meta(midi::meta::time_signature) || e.payload_size < 2) continue;
            const std::span<const std::uint8_t> p = track.payload_of(e);
            if (p[0] > 0 && p[1] <= 6) meters.push_back({e.tick, p[0], static_cast<std::uint8_t>(1u << p[1])});
        }
    std::stable_sort(meters.begin(), meters.end(), [](const Meter& a, const Meter& b) { return a.tick < b.tick; });
    std::vector<Meter> last_per_tick;
    for (const Meter& m : meters) {
        if (!last_per_tick.empty() && last_per_tick.back().tick == m.tick) last_per_tick.pop_back();
        last_per_tick.push_back(m);
    }
    return last_per_tick;
}

std::optional<TrackMark> mark_of(const midi::Event& e, std::size_t track) {
    TrackMark mark;
    mark.tick = e.tick;
    mark.track = static_cast<std::uint16_t>(track);
    if (e.kind() == midi::status::program_change) {
        mark.program = e.d1;
        return mark;
    }
    if (e.is_meta(midi::meta::time_signature)) mark.kind = TrackMark::Kind::meter;
    else if (e.is_meta(midi::meta::key_signature)) mark.kind = TrackMark::Kind::key;
    else if (e.is_meta(midi::meta::tempo)) mark.kind = TrackMark::Kind::tempo;
    else return std::nullopt;
    return mark;
}

// Every note's and pedal change's seconds from its ticks.
void set_seconds(Score& score, const midi::TempoMap& tempo) {
    for (Note& note : score.notes) {
        note.start_s = tempo.seconds_at(note.start_tick);
        note.end_s = tempo.seconds_at(note.end_tick);
    }
    for (PedalChange& pedal : score.pedals) pedal.seconds = tempo.seconds_at(pedal.tick);
}

}  // namespace

Score score_from_midi(const midi::MidiFile& file) {
    const midi::TempoMap tempo(file);
    const ProgramMap programs(file);
    Score score;
    score.meters = meters_of(file);
    if (file.is_smpte()) {
        set_smpte_timing(file, score);
    } else {
        score.ticks_per_quarter = file.ticks_per_quarter();
        score.tempo_us = tempo.tempo_at(0);
        score.tempos = tempo.changes();
    }

    OpenNotes open;
    for (std::size_t t = 0; t < file.tracks.size(); ++t) {
        const midi::Track& track = file.tracks[t];
        open.clear();
        for (std::size_t index = 0; index < track.events.size(); ++index) {
            const midi::Event& e = track.events[index];
            if (auto mark = mark_of(e, t)) score.marks.push_back(*mark);
            if (e.kind() == midi::status::control_change && e.d1 == sustain_controller)
                score.pedals.push_back({e.tick, 0, e.channel(), e.d2 >= 64});
            // The reader takes data bytes as they come (as midicsv does), so a key above 127 can
            // reach here: it is no note, and it must not index the per-pitch queues.
            if (e.d1 >= pitch_count) continue;
            if (e.is_note_on()) {
                Note note;
                note.start_tick = e.tick;
                note.pitch = e.d1;
                note.velocity = e.d2;
                note.channel = e.channel();
                note.program = programs.program_at(note.channel, e.tick);
                note.track = static_cast<std::uint16_t>(t);
                note.event = static_cast<std::uint32_t>(index);
                open.push(key_of(e), static_cast<std::int32_t>(score.notes.size()));
                score.notes.push_back(note);
            } else if (e.is_note_off()) {
                if (auto index = open.pop(key_of(e))) score.notes[static_cast<std::size_t>(*index)].end_tick = e.tick;
            }
        }
        const std::uint32_t track_end = track.events.empty() ? 0 : track.events.back().tick;
        for (std::size_t key = 0; key < channel_count * pitch_count; ++key)
            while (auto index = open.pop(key)) {
                Note& note = score.notes[static_cast<std::size_t>(*index)];
                note.end_tick = std::max(track_end, note.start_tick);
                note.unreleased = true;
            }
    }

    std::stable_sort(score.pedals.begin(), score.pedals.end(),
                     [](const PedalChange& a, const PedalChange& b) { return a.tick < b.tick; });
    set_seconds(score, tempo);
    std::stable_sort(score.notes.begin(), score.notes.end(), [](const Note& a, const Note& b) {
        if (a.start_tick != b.start_tick) return a.start_tick < b.start_tick;
        if (a.pitch != b.pitch) return a.pitch < b.pitch;
        if (a.track != b.track) return a.track < b.track;
        return a.channel < b.channel;
    });
    return score;
}

void time_in_seconds(Score& score) { set_seconds(score, midi::TempoMap(score.ticks_per_quarter, score.tempo_us, score.tempos)); }

void set_start_tempo(Score& score, std::uint32_t tempo_us) {
    if (tempo_us == 0) throw std::invalid_argument("the tempo must be above 0 microseconds per beat");
    const double ratio = static_cast<double>(tempo_us) / score.tempo_us;
    for (TempoChange& change : score.tempos)
        change.us_per_quarter = static_cast<std::uint32_t>(std::clamp<long>(std::lround(change.us_per_quarter * ratio), 1, 0xFFFFFF));
    score.tempo_us = tempo_us;
    time_in_seconds(score);
}

midi::MidiFile midi_from_score(const Score& score, std::optional<std::uint8_t> program) {
    if (score.ticks_per_quarter == 0 || score.ticks_per_quarter > 0x7FFF)
        throw std::invalid_argument("ticks per quarter must be 1..32767, not " + std::to_string(score.ticks_per_quarter));
    if (score.tempo_us == 0 || score.tempo_us > 0xFFFFFF)
        throw std::invalid_argument("tempo must be 1..16777215 microseconds per quarter, not " +
                                    std::to_string(score.tempo_us));
    if (program && *program > 127) throw std::invalid_argument("General MIDI programs are 0..127, not " + std::to_string(*program));

    midi::MidiFile file;
    file.format = 1;
    file.division = score.ticks_per_quarter;

    midi::Track& meta = file.tracks.emplace_back();
    const auto add_tempo = [&](std::uint32_t tick, std::uint32_t us) {
        if (us == 0 || us > 0xFFFFFF)
            throw std::invalid_argument("tempo must be 1..16777215 microseconds per quarter, not " + std::to_string(us));
        const std::array<std::uint8_t, 3> bytes = {static_cast<std::uint8_t>(us >> 16), static_cast<std::uint8_t>(us >> 8),
                                                   static_cast<std::uint8_t>(us)};
        meta.add_payload_event(tick, midi::status::meta, midi::meta::tempo, bytes);
    };
    add_tempo(0, score.tempo_us);
    std::uint32_t last_tick = 0;
    for (const TempoChange& change : score.tempos) {
        if (change.tick < last_tick) throw std::invalid_argument("tempo changes out of tick order");
        add_tempo(change.tick, change.us_per_quarter);
        last_tick = change.tick;
    }
    const std::vector<Meter> meters = score.meters.empty() ? std::vector<Meter>{Meter{}} : score.meters;
    for (const Meter& m : meters) {
        if (m.numerator == 0 || !std::has_single_bit(m.denominator) || m.denominator > 64)
            throw std::invalid_argument("a meter must be n/1 to n/64 with n > 0, not " + std::to_string(m.numerator) +
                                        "/" + std::to_string(m.denominator));
        // A click every quarter (24 MIDI clocks), 8 thirty-seconds per quarter.
        const std::array<std::uint8_t, 4> signature = {m.numerator, static_cast<std::uint8_t>(std::countr_zero(m.denominator)),
                                                       24, 8};
        meta.add_payload_event(m.tick, midi::status::meta, midi::meta::time_signature, signature);
    }
    // Events added in runs of their own kind into one track: a track's events must be in tick order.
    const auto sort_by_tick = [](midi::Track& track) {
        std::stable_sort(track.events.begin(), track.events.end(),
                         [](const midi::Event& a, const midi::Event& b) { return a.tick < b.tick; });
    };
    sort_by_tick(meta);  // tempos, then meters
    meta.add_payload_event(std::max(meters.back().tick, last_tick), midi::status::meta, midi::meta::end_of_track, {});

    // At one tick, note-offs of earlier notes go first so a repeated pitch is not cut by its own
    // release; a note that ends where it starts is released after its note-on.
    enum class Order : std::uint8_t { release, strike, release_zero_length };
    struct NoteEvent {
        std::uint32_t tick;
        Order order;
        const Note* note;
        std::size_t track;  // in file.tracks
        std::uint8_t channel;
    };
    // An instrument is a channel: drums on 9, each program on the next free one in order of first
    // onset (the 16th program and later share the 15th's channel and program: MIDI has 16).
    struct Instrument {
        bool drum;
        std::uint8_t program, channel;
        std::vector<std::size_t> tracks;  // indexes into file.tracks
        std::array<bool, 16> sources{};   // the score's channels of its notes, whose pedals it plays
    };
    std::vector<Instrument> instruments;
    constexpr std::size_t pitched_channels = 15;
    const auto instrument_of = [&](const Note& note) -> Instrument& {
        const bool drum = note.channel == drum_channel;
        const std::uint8_t wanted = drum ? 0 : program.value_or(note.program);
        if (wanted > 127) throw std::invalid_argument("General MIDI programs are 0..127, not " + std::to_string(wanted));
        std::size_t pitched = 0;
        for (Instrument& instrument : instruments) {
            if (instrument.drum == drum && (drum || instrument.program == wanted)) return instrument;
            pitched += !instrument.drum;
        }
        if (!drum && pitched == pitched_channels)
            for (auto it = instruments.rbegin(); it != instruments.rend(); ++it)
                if (!it->drum) return *it;
        const std::uint8_t channel = drum ? drum_channel : static_cast<std::uint8_t>(pitched < drum_channel ? pitched : pitched + 1);
        return instruments.emplace_back(Instrument{drum, wanted, channel, {}});
    };
    // Readers pair note-offs first in, first out per track, channel and pitch, so in one track the
    // notes of a key must end in the order they start. A note that would end inside an earlier
    // note of its key (two voices on one pitch) goes to the instrument's first track where it does not.
    std::vector<const Note*> by_start;
    for (const Note& note : score.notes) by_start.push_back(&note);
    std::stable_sort(by_start.begin(), by_start.end(),
                     [](const Note* a, const Note* b) { return a->start_tick < b->start_tick; });
    std::vector<std::array<std::uint32_t, pitch_count>> last_end(1);  // per file track, per pitch
    const auto add_track = [&](const Instrument& instrument) {
        midi::Track& track = file.tracks.emplace_back();
        const std::string_view name = instrument.drum ? "Drums" : program_name(instrument.program);
        track.add_payload_event(0, midi::status::meta, midi::meta::track_name,
                                {reinterpret_cast<const std::uint8_t*>(name.data()), name.size()});
        if (!instrument.drum) track.add_channel_event(0, midi::status::program_change | instrument.channel, instrument.program);
        last_end.push_back({});
        return file.tracks.size() - 1;
    };
    std::vector<NoteEvent> events;
    events.reserve(score.notes.size() * 2);
    for (const Note* note : by_start) {
        if (note->pitch > 127) throw std::invalid_argument("MIDI pitches are 0..127, not " + std::to_string(note->pitch));
        const std::uint32_t end = std::max(note->end_tick, note->start_tick);
        Instrument& instrument = instrument_of(*note);
        instrument.sources[note->channel & 15] = true;
        std::size_t track = 0;
        for (const std::size_t t : instrument.tracks)
            if (last_end[t][note->pitch] <= end) {
                track = t;
                break;
            }
        if (track == 0) track = instrument.tracks.emplace_back(add_track(instrument));
        last_end[track][note->pitch] = end;
        events.push_back({note->start_tick, Order::strike, note, track, instrument.channel});
        events.push_back({end, end == note->start_tick ? Order::release_zero_length : Order::release, note, track,
                          instrument.channel});
    }
    std::stable_sort(events.begin(), events.end(), [](const NoteEvent& a, const NoteEvent& b) {
        return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
    });

    if (file.tracks.size() == 1) add_track(Instrument{false, program.value_or(0), 0, {}});
    for (const NoteEvent& e : events) {
        midi::Track& notes = file.tracks[e.track];
        if (e.order == Order::strike)  // velocity 0 would read back as a note-off
            notes.add_channel_event(e.tick, midi::status::note_on | e.channel, e.note->pitch,
                                    std::clamp<std::uint8_t>(e.note->velocity, 1, 127));
        else
            notes.add_channel_event(e.tick, midi::status::note_off | e.channel, e.note->pitch, 0);
    }
    // Each pedal change goes to every instrument playing notes of its channel, in the instrument's
    // first track, after the notes of its tick.
    for (const Instrument& instrument : instruments) {
        if (instrument.drum) continue;
        midi::Track& track = file.tracks[instrument.tracks.front()];
        bool pedalled = false;
        for (const PedalChange& change : score.pedals) {
            if (!instrument.sources[change.channel & 15]) continue;
            track.add_channel_event(change.tick, midi::status::control_change | instrument.channel, sustain_controller,
                                    change.down ? 127 : 0);
            pedalled = true;
        }
        if (pedalled) sort_by_tick(track);
    }
    for (std::size_t t = 1; t < file.tracks.size(); ++t) {
        midi::Track& notes = file.tracks[t];
        notes.add_payload_event(notes.events.empty() ? 0 : notes.events.back().tick, midi::status::meta,
                                midi::meta::end_of_track, {});
    }
    return file;
}

}  // namespace pianola::music
