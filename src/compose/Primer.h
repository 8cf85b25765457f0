// Primer: the opening a composition continues, as tokens of the model's tokenizer: the notes of
// the user's own MIDI file, or a chord held for up to a 4/4 bar (a key primes with its tonic chord).
// The tokens must all be in the model's vocabulary: a primer with a pitch the model never learned
// is refused, not silently changed.
// It does not run the model; LmComposer feeds the tokens and keeps them at the head of the piece.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/ModelFile.h"
#include "music/Score.h"

namespace pianola::compose {

// The piece's notes as the model reads them; a tempo or tempo change the model never learned is
// read as the nearest it did. Throws std::invalid_argument for a score without notes or another
// token the model does not know.
std::vector<std::string> primer_tokens(const model::ModelInfo& info, const music::Score& score);

// The chord (music::chord_pitches) at `tempo_us`, struck at once and held for a 4/4 bar, or, for a
// timed model that never learned a whole bar's duration, the longest duration it knows within one.
music::Score chord_score(const model::ModelInfo& info, std::string_view symbol, std::uint32_t tempo_us);

}  // namespace pianola::compose
