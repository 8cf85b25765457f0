#include "compose/BarModel.h"

#include <stdexcept>
#include <string>

namespace pianola::compose {

BarModel bar_model(const model::LoadedModel& model, std::string_view doing) {
    const std::string what(doing);
    if (!std::holds_alternative<model::NextTokenModel>(model.net)) throw std::invalid_argument(what + " needs a next-token model");
    const auto* timed = std::get_if<music::TimedTokenizer>(&model.info.tokenizer);
    if (!timed || timed->options().time != music::TimeTokens::bars)
        throw std::invalid_argument(what + " counts bars: it needs a model of timed tokens in bars");
    if (!model.info.vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    return {*timed, model.info.vocabulary.id(music::piece_start_token)};
}

}  // namespace pianola::compose
