// BarModel: what infilling and accompanying ask of a model. Both count bars, so the model must be
// a next-token network reading timed tokens in bars, with a piece-start token to begin from.
// It does not load models (model/ModelFile) or check a piece's tokens against the vocabulary.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/ModelFile.h"

namespace pianola::compose {

struct BarModel {
    const music::TimedTokenizer& tokenizer;
    std::int64_t piece_start;  // the piece-start token's id
};

// Throws std::invalid_argument saying what `doing` ("infilling", "accompanying") needs where the
// model is not such a model.
BarModel bar_model(const model::LoadedModel& model, std::string_view doing);

}  // namespace pianola::compose
