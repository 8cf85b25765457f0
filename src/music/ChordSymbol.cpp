#include "music/ChordSymbol.h"

#include <array>
#include <cctype>
#include <stdexcept>
#include <string>
#include <utility>

namespace pianola::music {

namespace {

// Intervals above the root, by the quality's spelling after the root.
constexpr std::array<std::pair<std::string_view, std::array<int, 4>>, 14> qualities{{
    {"", {0, 4, 7, -1}},         {" major", {0, 4, 7, -1}},  {"maj", {0, 4, 7, -1}},   {"m", {0, 3, 7, -1}},
    {" minor", {0, 3, 7, -1}},   {"min", {0, 3, 7, -1}},     {"7", {0, 4, 7, 10}},     {"maj7", {0, 4, 7, 11}},
    {"m7", {0, 3, 7, 10}},       {"dim", {0, 3, 6, -1}},     {"aug", {0, 4, 8, -1}},   {"sus4", {0, 5, 7, -1}},
    {"sus2", {0, 2, 7, -1}},     {"dim7", {0, 3, 6, 9}},
}};

}  // namespace

std::vector<std::uint8_t> chord_pitches(std::string_view symbol) {
    const auto refuse = [&] {
        // Appended, not "..." + std::string: gcc 12 warns falsely (-Wrestrict) on that form.
        std::string message = "\"";
        message.append(symbol).append("\" is not a chord or key (examples: C, Am, F#m7, Bbmaj7, Gsus4, \"D minor\")");
        return std::invalid_argument(message);
    };
    if (symbol.empty()) throw refuse();
    constexpr std::array<int, 7> letter_pitch{9, 11, 0, 2, 4, 5, 7};  // A..G
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(symbol[0])));
    if (letter < 'A' || letter > 'G') throw refuse();
    int root = letter_pitch[static_cast<std::size_t>(letter - 'A')];
    std::string_view rest = symbol.substr(1);
    if (rest.starts_with("#") || rest.starts_with("-sharp")) {
        ++root;
        rest.remove_prefix(rest.starts_with("#") ? 1 : 6);
    } else if (rest.starts_with("b") || rest.starts_with("-flat")) {
        --root;
        rest.remove_prefix(rest.starts_with("b") ? 1 : 5);
    }
    for (const auto& [spelling, intervals] : qualities) {
        if (rest != spelling) continue;
        std::vector<std::uint8_t> pitches;
        for (const int i : intervals)
            if (i >= 0) pitches.push_back(static_cast<std::uint8_t>(48 + (root + 12) % 12 + i));
        return pitches;
    }
    throw refuse();
}

}  // namespace pianola::music
