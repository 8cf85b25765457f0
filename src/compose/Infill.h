// Infill: rewrites bars A..B of a piece so that they lead from the bars before into the bars after,
// with a next-token model of timed tokens in bars. Each of several drafts continues the bars
// before as `generate` would (its grammar, piece memory and key pull); a model trained to fill in
// the middle (music/FillInTheMiddle) first reads the bars after the gap, so it writes the gap
// toward them. The draft after which the model, reading the piece in order, finds the next two
// bars likeliest is kept: the bars after are read and scored, never rewritten. Keeping the
// rhythm, every token but the pitches is the original's (bars, positions, durations, velocities),
// so only the notes' pitches are drawn; keeping the chords, the notes are drawn anew but each
// bar's pitches only from the pitch classes of the original bar.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compose/LmComposer.h"

namespace pianola::compose {

// What of the rewritten bars stays: nothing, their rhythm (only pitches drawn), or their harmony
// (each bar's pitch classes).
enum class InfillKeep { nothing, rhythm, chords };
// "rhythm", "chords", or anything else (the empty text): nothing.
InfillKeep infill_keep(std::string_view name);

struct InfillOptions {
    int first_bar = 1, last_bar = 1;  // 1-based, both rewritten
    InfillKeep keep = InfillKeep::nothing;
    int candidates = 8;               // drafts to choose from
    std::uint64_t seed = 1;           // candidate c draws from seed + c
    SamplingOptions sampling;
    model::MemoryWeights memory;      // all zero: off
    double key_pull = 0;
};

// How the model hears some bars, in its own bits (no memory or pull): per note over those bars,
// and over the (up to) two bars after them.
struct BarsFit {
    double bits_per_note = 0, join_bits = 0;
};

// How well rewritten bars fit: theirs beside the original bars'.
struct InfillFit {
    BarsFit rewritten, original;
};

struct InfilledPiece {
    std::vector<std::string> tokens;       // the whole piece, bars first_bar..last_bar rewritten
    std::size_t region_begin = 0, region_end = 0;  // the rewritten tokens' place in `tokens`
    InfillFit fit;
    bool looked_ahead = false;             // the model, trained to fill, read the bars after before it drew
};

// Bars first..last of a piece as they stand: what infill() reports of the original bars, and
// `evaluate --infill` of a piece whose bars were rewritten. Throws as infill() does.
BarsFit bars_fit(model::LoadedModel& model, const std::vector<std::string>& piece, int first_bar, int last_bar);

// piece: the piece's tokens in the model's tokenizer (without the piece-start token). Throws
// std::invalid_argument for a model that is not a next-token model of timed bar tokens, bars
// outside the piece, or a token of the piece the model never learned.
InfilledPiece infill(model::LoadedModel& model, const std::vector<std::string>& piece, const InfillOptions& options);

}  // namespace pianola::compose
