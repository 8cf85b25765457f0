#include "compose/TokenRules.h"

#include <limits>
#include <stdexcept>

namespace pianola::compose {

TokenRules::TokenRules(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary) {
    if (vocabulary.contains(music::piece_start_token)) piece_start_ = vocabulary.id(music::piece_start_token);
    const auto* timed = std::get_if<music::TimedTokenizer>(&tokenizer);
    if (!timed) return;
    decoder_.emplace(*timed);
    for (const std::string& token : vocabulary.tokens()) parsed_.push_back(music::parse_timed_token(token));
}

void TokenRules::forbid(std::span<float> logits) const {
    constexpr float never = -std::numeric_limits<float>::infinity();
    if (piece_start_ >= 0) logits[static_cast<std::size_t>(piece_start_)] = never;
    if (!decoder_) return;
    bool open = false;
    for (std::size_t id = 0; id < logits.size(); ++id) {
        if (parsed_[id] && decoder_->accepts(*parsed_[id]))
            open = true;
        else
            logits[id] = never;
    }
    if (!open) throw std::invalid_argument("no token of the model's vocabulary can continue the piece");
}

void TokenRules::push(std::int64_t id) {
    ++tokens_;
    if (decoder_) decoder_->push(*parsed_.at(static_cast<std::size_t>(id)));
}

}  // namespace pianola::compose
