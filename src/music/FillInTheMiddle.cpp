#include "music/FillInTheMiddle.h"

#include <algorithm>

namespace pianola::music {

std::optional<FillMarkers> fill_markers(const Vocabulary& vocabulary) {
    for (const std::string_view token : fill_marker_tokens)
        if (!vocabulary.contains(token)) return std::nullopt;
    return FillMarkers{vocabulary.id(fill_after_token), vocabulary.id(fill_token), vocabulary.id(filled_token)};
}

FillCut fill_cut(std::span<const std::size_t> bar_starts, std::size_t size, int first, int bars) {
    const auto start = [&](int bar) {
        return bar < static_cast<int>(bar_starts.size()) ? bar_starts[static_cast<std::size_t>(bar)] : size;
    };
    return {start(std::max(0, first - fill_reread_bars)), start(first + bars), start(first + bars + fill_look_ahead_bars)};
}

std::vector<std::int64_t> fill_look_ahead(std::span<const std::int64_t> ids, const FillCut& cut,
                                          const FillMarkers& markers) {
    std::vector<std::int64_t> out{markers.after};
    out.insert(out.end(), ids.begin() + static_cast<std::ptrdiff_t>(cut.gap_end),
               ids.begin() + static_cast<std::ptrdiff_t>(cut.after_end));
    out.push_back(markers.fill);
    return out;
}

std::vector<std::int64_t> arranged_to_fill(std::span<const std::int64_t> ids, const FillCut& cut,
                                           const FillMarkers& markers) {
    const auto at = [&](std::size_t i) { return ids.begin() + static_cast<std::ptrdiff_t>(i); };
    std::vector<std::int64_t> out;
    out.reserve(ids.size() + 3);
    out.insert(out.end(), ids.begin(), at(cut.head_end));
    const std::vector<std::int64_t> look_ahead = fill_look_ahead(ids, cut, markers);
    out.insert(out.end(), look_ahead.begin(), look_ahead.end());
    out.insert(out.end(), at(cut.head_end), at(cut.gap_end));
    out.push_back(markers.filled);
    out.insert(out.end(), at(cut.after_end), ids.end());
    return out;
}

}  // namespace pianola::music
