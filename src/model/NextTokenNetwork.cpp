#include "model/NextTokenNetwork.h"

namespace pianola::model {

NextTokenModel make_next_token_model(const NextTokenOptions& options) {
    if (const auto* lstm = std::get_if<LmModelOptions>(&options)) return LmModel(*lstm).ptr();
    return TransformerModel(std::get<TransformerOptions>(options)).ptr();
}

}  // namespace pianola::model
