// LmComposer: generation with a next-token model, one token per step with the LSTM state carried
// (never a window re-run). A piece starts from the piece-start token, as every training piece
// did, so no training material is needed to prime it. The piece-start token itself is never
// emitted: a piece ends when it has its notes, not when the model would start another.
// K pieces run as one batch of K rows through LmModel::step, which allocates nothing per step.
// Primers, top-k/top-p and the originality guard belong to the composing-well issue.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compose/TokenRules.h"
#include "model/ModelFile.h"

namespace pianola::compose {

// One piece per entry of `rules`, each continuing after token `start`: token ids drawn where its
// rules allow until the rules count `notes` notes, or 32 tokens per note. The loop of compose_lm,
// and what `bench generate` times. Piece k draws from a generator seeded with seed + k.
std::vector<std::vector<std::int64_t>> continue_from(model::LmModel& net, std::int64_t start,
                                                    std::vector<TokenRules> rules, int notes, std::uint64_t seed,
                                                    double temperature);

// notes >= 1, count >= 1 -> count pieces of `notes` notes: seed tokens are a note or chord each;
// timed tokens are drawn only where the grammar allows them (TokenRules), and a piece ends at its
// notes' last duration, or after 32 tokens per note if the model keeps drawing rests. Piece k
// draws from its own generator seeded with seed + k, so it does not depend on how many pieces
// share the batch; temperature 0 takes the argmax. Throws std::invalid_argument for a seed-design
// model or a vocabulary without a piece-start token.
std::vector<std::vector<std::string>> compose_lm(model::LoadedModel& model, int notes, int count, std::uint64_t seed,
                                                 double temperature);

}  // namespace pianola::compose
