// music21 5.x's reading of MIDI, rule by rule: each track with notes a part of its own
// (midiTracksToStreams), chords only inside a track (midiTrackToStream), offsets and durations
// snapped to sixteenths and eighth triplets (Stream.quantize), instruments from program changes
// grouped by name and the first group kept (partitionByInstrument), and music21's order of
// elements at one offset (sortTuple). Deliberately nothing music21 did that cannot change which
// notes come out, or in which order.
#include "music/Music21Reading.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>

namespace pianola::music {

namespace {

// Offsets and durations are counted in twelfths of a quarter, the grid both divisors (4, 3) share.
using Twelfths = std::int64_t;

// music21 5.x's quantization (defaults.quantizationQuarterLengthDivisors (4, 3)): the nearest
// multiple of a quarter / 4 or a quarter / 3; halfway goes to the lower multiple
// (common.nearestMultiple), and of the two divisors the smaller error wins, then the smaller value.
Twelfths quantize(std::uint64_t ticks, std::uint16_t ticks_per_quarter) {
    const std::uint64_t tpq = std::max<std::uint16_t>(ticks_per_quarter, 1);
    const std::uint64_t x = ticks * 12;  // in units of a quarter / (12 tpq)
    std::uint64_t best = 0, best_error = 0;
    bool first = true;
    for (const std::uint64_t divisor : {4u, 3u}) {
        const std::uint64_t grid = 12 / divisor * tpq;
        const std::uint64_t low = x / grid * grid, rest = x - low;
        const bool down = 2 * rest <= grid;
        const std::uint64_t match = down ? low : low + grid, error = down ? rest : grid - rest;
        if (first || error < best_error || (error == best_error && match < best)) {
            best = match;
            best_error = error;
            first = false;
        }
    }
    return static_cast<Twelfths>(best / tpq);
}

struct Element {
    Twelfths offset = 0, end = 0;
    bool grace = false;  // a MIDI note of no length: music21 makes it a grace note, first at its offset
    Music21Element element;
    bool zero_length() const { return end == offset; }
};

struct Instrument {
    Twelfths offset = 0;
    int group = 0;
};

// A track with notes, as music21 made it a Part.
struct Part {
    std::vector<Element> elements;       // music21's order within the part
    std::vector<Instrument> instruments;  // by offset, then file order
    std::vector<Twelfths> marks;          // time signatures, keys and tempos: elements of no length
    Twelfths highest = 0;                 // the part's highestTime
};

// partitionByInstrument groups by instrument name, and instrumentFromMidiProgram names only the
// General MIDI programs music21 5.x has a class for; every other program becomes one unnamed
// Instrument, so those programs share a group.
int instrument_group(std::uint8_t program) {
    static constexpr std::array<std::uint8_t, 55> named = {
        0,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 24, 26, 32, 33,  35,  40,  41,  42,  43,  46,  47,  48,
        52, 53, 56, 57, 58, 60, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 77, 78, 79, 104, 105, 106, 107, 109, 111, 114};
    return std::find(named.begin(), named.end(), program) != named.end() ? program : -1;
}

// midiTrackToStream's chords: the notes of one track (in file order) whose note-ons lie within a
// sixteenth of a quarter of the first one's AND whose note-offs lie within as much of its note-off.
// A note starting with them but ending elsewhere stays a note of its own (music21 puts it in
// another voice); a note already taken may join a later chord too, as music21's loop allows.
std::vector<Element> track_elements(const std::vector<const Note*>& notes, std::uint16_t tpq) {
    auto near = [tpq](std::int64_t a, std::int64_t b) { return 16 * std::llabs(a - b) <= tpq; };
    std::vector<Element> elements;
    std::vector<bool> taken(notes.size(), false);
    for (std::size_t i = 0; i < notes.size(); ++i) {
        if (taken[i]) continue;
        const Note& first = *notes[i];
        const Note* last = &first;
        Element e;
        e.element.pitches = {first.pitch};
        for (std::size_t j = i + 1; j < notes.size() && near(notes[j]->start_tick, first.start_tick); ++j) {
            if (!near(notes[j]->end_tick, first.end_tick)) continue;
            e.element.pitches.push_back(notes[j]->pitch);
            taken[j] = true;
            last = notes[j];
        }
        e.element.chord = e.element.pitches.size() > 1;
        // A chord's duration is its last note's, as midiEventsToChord takes it.
        const std::uint32_t length = last->end_tick - last->start_tick;
        e.grace = length == 0;
        e.offset = quantize(first.start_tick, tpq);
        e.end = e.offset + quantize(length, tpq);
        elements.push_back(std::move(e));
    }
    return elements;
}

// Sorting by offset with grace notes first keeps the rest in insertion order: music21's sortTuple
// (offset, priority, class, grace, insertion) with the same priority and class for notes and chords.
void sort_as_music21(std::vector<Element>& elements) {
    std::stable_sort(elements.begin(), elements.end(), [](const Element& a, const Element& b) {
        return a.offset != b.offset ? a.offset < b.offset : a.grace > b.grace;
    });
}

// midiTracksToStreams: a track with a note-on is a part; a track without one is the conductor,
// whose time signatures and keys every part receives, and whose tempos only the first part does.
std::vector<Part> parts_of(const Score& score) {
    const std::uint16_t tpq = score.ticks_per_quarter;
    std::map<std::uint16_t, std::vector<const Note*>> by_track;
    for (const Note& note : score.notes) by_track[note.track];
    for (const Note& note : score.notes)
        if (!note.unreleased) by_track[note.track].push_back(&note);  // music21 drops a note never released

    std::map<std::uint16_t, std::size_t> part_of_track;
    std::vector<Part> parts;
    for (auto& [track, notes] : by_track) {
        std::stable_sort(notes.begin(), notes.end(), [](const Note* a, const Note* b) {
            return a->start_tick != b->start_tick ? a->start_tick < b->start_tick : a->event < b->event;
        });
        part_of_track[track] = parts.size();
        Part& part = parts.emplace_back();
        part.elements = track_elements(notes, tpq);
        sort_as_music21(part.elements);
    }
    for (const TrackMark& mark : score.marks) {
        const Twelfths offset = quantize(mark.tick, tpq);
        const auto own = part_of_track.find(mark.track);
        if (own != part_of_track.end()) {
            Part& part = parts[own->second];
            if (mark.kind == TrackMark::Kind::program)
                part.instruments.push_back({offset, instrument_group(mark.program)});
            else
                part.marks.push_back(offset);
        } else if (mark.kind == TrackMark::Kind::meter || mark.kind == TrackMark::Kind::key) {
            for (Part& part : parts) part.marks.push_back(offset);
        } else if (mark.kind == TrackMark::Kind::tempo && !parts.empty()) {
            parts.front().marks.push_back(offset);
        }
    }
    for (Part& part : parts) {
        std::stable_sort(part.instruments.begin(), part.instruments.end(),
                         [](const Instrument& a, const Instrument& b) { return a.offset < b.offset; });
        for (const Element& e : part.elements) part.highest = std::max(part.highest, e.end);
        for (Twelfths m : part.marks) part.highest = std::max(part.highest, m);
        for (const Instrument& i : part.instruments) part.highest = std::max(part.highest, i.offset);
    }
    return parts;
}

// An instrument's span (extendDuration): up to the part's next instrument, the last one to the
// part's end. getElementsByOffset takes what begins in it; a span of no length takes only the
// elements of no length at its offset.
struct Span {
    Twelfths start, end;
    bool holds(Twelfths offset, bool zero_length) const {
        if (end == start) return zero_length && offset == start;
        return start <= offset && offset < end;
    }
};

Span span_of(const Part& part, std::size_t k) {
    const Twelfths start = part.instruments[k].offset;
    return {start, k + 1 < part.instruments.size() ? part.instruments[k + 1].offset : part.highest};
}

// partitionByInstrument puts an element into its group's part once per span that holds it; two
// spans of one group holding the same element of no length (two equal program changes on one
// offset, with a time signature there) make Stream.insert raise, and the original program then
// read score.flat.notes instead.
bool partition_raises(const std::vector<Part>& parts) {
    for (const Part& part : parts) {
        std::vector<Twelfths> zero_length = part.marks;
        for (const Element& e : part.elements)
            if (e.zero_length()) zero_length.push_back(e.offset);
        for (Twelfths offset : zero_length) {
            std::map<int, int> holders;
            for (std::size_t k = 0; k < part.instruments.size(); ++k)
                if (span_of(part, k).holds(offset, true) && ++holders[part.instruments[k].group] > 1) return true;
        }
    }
    return false;
}

}  // namespace

std::vector<Music21Element> music21_elements(const Score& score) {
    const std::vector<Part> parts = parts_of(score);
    // The first instrument of the flattened score: lowest offset, then part order, then file order.
    const Instrument* first = nullptr;
    for (const Part& part : parts)
        if (!part.instruments.empty() && (!first || part.instruments.front().offset < first->offset))
            first = &part.instruments.front();
    const bool flat = first == nullptr || partition_raises(parts);  // no instrument: partition returns None

    std::vector<Element> walk;
    for (const Part& part : parts)
        for (const Element& e : part.elements) {
            bool kept = flat;
            for (std::size_t k = 0; !kept && k < part.instruments.size(); ++k)
                kept = part.instruments[k].group == first->group && span_of(part, k).holds(e.offset, e.zero_length());
            if (kept) walk.push_back(e);
        }
    sort_as_music21(walk);
    std::vector<Music21Element> elements;
    elements.reserve(walk.size());
    for (Element& e : walk) elements.push_back(std::move(e.element));
    return elements;
}

}  // namespace pianola::music
