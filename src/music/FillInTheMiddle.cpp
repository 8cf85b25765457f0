#include "music/FillInTheMiddle.h"

namespace pianola::music {

std::optional<FillMarkers> fill_markers(const Vocabulary& vocabulary) {
    for (const std::string_view token : fill_marker_tokens)
        if (!vocabulary.contains(token)) return std::nullopt;
    return FillMarkers{vocabulary.id(fill_after_token), vocabulary.id(fill_token), vocabulary.id(filled_token)};
}

std::vector<std::int64_t> fill_look_ahead(std::span<const std::int64_t> ids, std::size_t middle_end,
                                          std::size_t after_end, const FillMarkers& markers) {
    std::vector<std::int64_t> out{markers.after};
    out.insert(out.end(), ids.begin() + static_cast<std::ptrdiff_t>(middle_end), ids.begin() + static_cast<std::ptrdiff_t>(after_end));
    out.push_back(markers.fill);
    return out;
}

std::vector<std::int64_t> arranged_to_fill(std::span<const std::int64_t> ids, std::size_t middle_begin,
                                           std::size_t middle_end, std::size_t after_end, const FillMarkers& markers) {
    const auto at = [&](std::size_t i) { return ids.begin() + static_cast<std::ptrdiff_t>(i); };
    std::vector<std::int64_t> out(ids.begin(), at(middle_begin));
    out.reserve(ids.size() + 3);
    const std::vector<std::int64_t> look_ahead = fill_look_ahead(ids, middle_end, after_end, markers);
    out.insert(out.end(), look_ahead.begin(), look_ahead.end());
    out.insert(out.end(), at(middle_begin), at(middle_end));
    out.push_back(markers.filled);
    out.insert(out.end(), at(after_end), ids.end());
    return out;
}

}  // namespace pianola::music
