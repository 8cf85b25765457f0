// FillInTheMiddle: the token layout that teaches a left-to-right model to fill in bars between
// others (Bavarian et al. 2022, "Efficient Training of Language Models to Fill in the Middle",
// applied to bars). A piece of timed bar tokens, bars split as head | middle | after | rest, is
// read as
//
//   head <after> after <fill> middle <filled> rest
//
// where `after` is at most fill_look_ahead_bars bars: the model reads what comes before, then the
// bars that follow the gap, then writes the gap. The middle starts fill_reread_bars bars before
// the gap: infilling (compose/Infill) feeds everything up to <fill>, then those bars as written,
// then draws the gap; training (train/EpochStreams) arranges a share of its pieces so. The markers are vocabulary tokens like the piece start; no tokenizer writes them and
// generation never draws them. It deliberately is not a tokenizer: it moves ids, never notes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "music/Vocabulary.h"

namespace pianola::music {

// '<' sorts before the letters, as the piece start does, so no tokenizer's token collides.
inline constexpr std::string_view fill_after_token = "<after>", fill_token = "<fill>", filled_token = "<filled>";
inline constexpr std::string_view fill_marker_tokens[] = {fill_after_token, fill_token, filled_token};
// The bars after the gap the model reads before it writes the gap: the join it must lead into.
inline constexpr int fill_look_ahead_bars = 4;
// The bars just before the gap, read after the look-ahead rather than before it: a recurrent
// network's state favours what it read last, and the gap must first join those bars.
inline constexpr int fill_reread_bars = 2;

struct FillMarkers {
    std::int64_t after = -1, fill = -1, filled = -1;
};

// The markers' ids, or nullopt where the vocabulary lacks one (a model not trained to fill).
std::optional<FillMarkers> fill_markers(const Vocabulary& vocabulary);

// Where a piece splits to fill a gap: ids[0, head_end) is the head, [head_end, gap_end) the
// middle (the reread bars, then the gap), [gap_end, after_end) the bars after it, the rest after.
struct FillCut {
    std::size_t head_end = 0, gap_end = 0, after_end = 0;
};

// The cut for a gap of bars [first, first + bars) (0-based) of a piece of `size` ids whose bar
// tokens stand at `bar_starts`: the head ends fill_reread_bars before the gap (or at the first
// bar), the bars after end fill_look_ahead_bars after it (or at the end). The one place training
// and infilling take the layout's sizes from, so the two always agree.
FillCut fill_cut(std::span<const std::size_t> bar_starts, std::size_t size, int first, int bars);

// What a model reads between the head and the middle: <after>, ids[gap_end, after_end), <fill>.
std::vector<std::int64_t> fill_look_ahead(std::span<const std::int64_t> ids, const FillCut& cut,
                                          const FillMarkers& markers);

// The whole piece as laid out above.
std::vector<std::int64_t> arranged_to_fill(std::span<const std::int64_t> ids, const FillCut& cut,
                                           const FillMarkers& markers);

}  // namespace pianola::music
