// Pitch names and normal order. Only the spelling the seed vocabulary uses is read back: this is
// not a general note-name parser (no double sharps, no "Db", no lower case).
#include "music/PitchSpelling.h"

#include <algorithm>
#include <array>

namespace pianola::music {

namespace {

constexpr std::array<std::string_view, 12> class_names = {"C", "C#", "D", "E-", "E", "F",
                                                          "F#", "G", "G#", "A", "B-", "B"};

// "-1" or a single digit: MIDI 0..127 spans octaves -1..9.
std::optional<int> parse_octave(std::string_view text) {
    if (text == "-1") return -1;
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '9') return text[0] - '0';
    return std::nullopt;
}

std::optional<std::uint8_t> pitch_of(int pitch_class, std::optional<int> octave) {
    if (!octave) return std::nullopt;
    const int pitch = (*octave + 1) * 12 + pitch_class;
    if (pitch > 127) return std::nullopt;
    return static_cast<std::uint8_t>(pitch);
}

int class_index(std::string_view class_name) {
    return static_cast<int>(std::find(class_names.begin(), class_names.end(), class_name) - class_names.begin());
}

}  // namespace

std::string pitch_name(std::uint8_t midi_pitch) {
    std::string name(class_names[midi_pitch % 12]);
    name += std::to_string(midi_pitch / 12 - 1);
    return name;
}

// music21's '-' for flat collides with the minus of octave -1. The flat reading is tried first
// because MIDI 4 and 11 (E and B in octave -1) lie below every instrument, E-flat 1 and B-flat 1 don't.
std::optional<std::uint8_t> parse_pitch_name(std::string_view name) {
    if (name.size() < 2) return std::nullopt;
    if (name.size() >= 3 && (name[1] == '#' || name[1] == '-')) {
        const int accidental = class_index(name.substr(0, 2));
        if (accidental < 12) {
            if (auto pitch = pitch_of(accidental, parse_octave(name.substr(2)))) return pitch;
        }
    }
    const int natural = class_index(name.substr(0, 1));
    if (natural == 12) return std::nullopt;
    return pitch_of(natural, parse_octave(name.substr(1)));
}

std::vector<int> normal_order(std::vector<int> pitch_classes) {
    for (int& pc : pitch_classes) pc = ((pc % 12) + 12) % 12;
    std::sort(pitch_classes.begin(), pitch_classes.end());
    pitch_classes.erase(std::unique(pitch_classes.begin(), pitch_classes.end()), pitch_classes.end());
    const std::size_t n = pitch_classes.size();
    if (n <= 1) return pitch_classes;

    // Rotation r lists pitch_classes[r..] then pitch_classes[..r] an octave up; its k-th note.
    auto note = [&](std::size_t r, std::size_t k) {
        const std::size_t i = r + k;
        return i < n ? pitch_classes[i] : pitch_classes[i - n] + 12;
    };
    // Compares spans from the first note to the last, then to the last-but-one, ...; strict
    // comparison keeps the earliest (lowest-starting) rotation on a full tie.
    auto more_compact = [&](std::size_t a, std::size_t b) {
        for (std::size_t k = n - 1; k >= 1; --k) {
            const int span_a = note(a, k) - note(a, 0), span_b = note(b, k) - note(b, 0);
            if (span_a != span_b) return span_a < span_b;
        }
        return false;
    };
    std::size_t best = 0;
    for (std::size_t r = 1; r < n; ++r)
        if (more_compact(r, best)) best = r;
    std::rotate(pitch_classes.begin(), pitch_classes.begin() + static_cast<std::ptrdiff_t>(best), pitch_classes.end());
    return pitch_classes;
}

}  // namespace pianola::music
