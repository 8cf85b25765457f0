// The seed tokenizer, token for token what the original Python design produced from music21's
// reading (Music21Reading): music21 names, normal-order chords. It is deliberately lossy and is
// not the place to improve the tokens.
#include "music/SeedTokenizer.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "music/Music21Reading.h"
#include "music/PitchSpelling.h"

namespace pianola::music {

namespace {

constexpr int pitch_class_sets = 1 << 12;

// Every chord token, indexed by its pitch-class set as a bit mask: tokenizing then copies a
// string instead of computing a normal order and formatting it for every onset.
const std::array<std::string, pitch_class_sets>& chord_tokens() {
    static const auto table = [] {
        std::array<std::string, pitch_class_sets> tokens;
        for (int mask = 1; mask < pitch_class_sets; ++mask) {
            std::vector<int> classes;
            for (int pc = 0; pc < 12; ++pc)
                if (mask & (1 << pc)) classes.push_back(pc);
            for (int pc : normal_order(std::move(classes))) {
                if (!tokens[mask].empty()) tokens[mask] += '.';
                tokens[mask] += std::to_string(pc);
            }
        }
        return tokens;
    }();
    return table;
}

// A chord token's pitch classes in token order: "0".."11" joined by '.', each at most once.
std::vector<int> parse_chord(std::string_view token) {
    std::vector<int> classes;
    std::uint16_t seen = 0;
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = std::min(token.find('.', begin), token.size());
        const std::string_view part = token.substr(begin, end - begin);
        int pc = -1;
        const auto [rest, error] = std::from_chars(part.data(), part.data() + part.size(), pc);
        const bool canonical = !part.empty() && (part.size() == 1 || part[0] != '0');
        if (error != std::errc() || rest != part.data() + part.size() || !canonical || pc < 0 || pc > 11 ||
            (seen & (1u << pc)))
            throw std::invalid_argument("not a seed token: \"" + std::string(token) + "\"");
        seen |= static_cast<std::uint16_t>(1u << pc);
        classes.push_back(pc);
        if (end == token.size()) return classes;
        begin = end + 1;
    }
}

}  // namespace

std::vector<std::string> SeedTokenizer::tokenize(const Score& score) const {
    const auto& chords = chord_tokens();
    std::vector<std::string> tokens;
    for (const Music21Element& e : music21_elements(score)) {
        if (!e.chord) {
            tokens.push_back(pitch_name(e.pitches.front()));
            continue;
        }
        // A chord of one pitch class (octaves, or one key struck twice) is still a chord token ("0").
        unsigned classes = 0;
        for (std::uint8_t pitch : e.pitches) classes |= 1u << (pitch % 12);
        tokens.push_back(chords[classes]);
    }
    return tokens;
}

std::vector<std::uint8_t> SeedTokenizer::pitches_of(std::string_view token) const {
    if (auto pitch = parse_pitch_name(token)) return {*pitch};
    std::vector<std::uint8_t> pitches;
    for (int pc : parse_chord(token)) pitches.push_back(static_cast<std::uint8_t>(60 + pc));
    return pitches;
}

std::optional<std::string> SeedTokenizer::transpose(std::string_view token, int semitones) const {
    if (auto pitch = parse_pitch_name(token)) {
        const int moved = *pitch + semitones;
        if (moved < 0 || moved > 127) return std::nullopt;
        return pitch_name(static_cast<std::uint8_t>(moved));
    }
    unsigned classes = 0;
    for (int pc : parse_chord(token)) classes |= 1u << (((pc + semitones) % 12 + 12) % 12);
    return chord_tokens()[classes];
}

Score SeedTokenizer::compose_score(const std::vector<std::string>& tokens, std::uint16_t ticks_per_quarter,
                                   std::uint32_t step_ticks, std::uint32_t tempo_us) const {
    if (ticks_per_quarter == 0 || step_ticks == 0 || tempo_us == 0)
        throw std::invalid_argument("ticks per quarter, step and tempo must all be positive");
    if ((tokens.size() + 1) * std::uint64_t{step_ticks} > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("too many tokens for 32-bit ticks at this step");
    constexpr std::uint8_t velocity = 90;  // a plain mezzo-forte: the seed tokens carry no dynamics
    const double seconds_per_tick = tempo_us / 1e6 / ticks_per_quarter;

    Score score;
    score.ticks_per_quarter = ticks_per_quarter;
    score.tempo_us = tempo_us;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        std::vector<std::uint8_t> pitches = pitches_of(tokens[i]);
        std::sort(pitches.begin(), pitches.end());  // keeps the Score's (tick, pitch) order
        const auto start = static_cast<std::uint32_t>(i * step_ticks);
        for (std::uint8_t pitch : pitches) {
            Note note;
            note.start_tick = start;
            note.end_tick = start + step_ticks;
            note.start_s = start * seconds_per_tick;
            note.end_s = note.end_tick * seconds_per_tick;
            note.pitch = pitch;
            note.velocity = velocity;
            note.channel = 0;
            score.notes.push_back(note);
        }
    }
    return score;
}

}  // namespace pianola::music
