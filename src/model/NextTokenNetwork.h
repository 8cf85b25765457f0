// NextTokenNetwork: the next-token architectures by their options, and the one place that builds a
// network from them. Which alternative the options hold is the architecture; everything else
// works through model/NextTokenModel.
#pragma once

#include <variant>

#include "model/LmModel.h"
#include "model/NextTokenModel.h"
#include "model/TransformerModel.h"

namespace pianola::model {

using NextTokenOptions = std::variant<LmModelOptions, TransformerOptions>;

// A fresh network with these options.
NextTokenModel make_next_token_model(const NextTokenOptions& options);

}  // namespace pianola::model
