// TokenRules: what generation may sample next under a model's tokenizer, and how many notes a
// piece holds so far. Seed tokens: any token but the piece start, each one note or chord (as the
// original design counted). Timed tokens: only what music::TimedDecoder accepts at this point of
// the piece, so a composed sequence is always well formed (no duration without a pitch, no time
// going backwards), and a note counts when its duration is drawn.
// It does not sample or judge musical quality; TokenSampler and the model do.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::compose {

class TokenRules {
public:
    TokenRules(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary);

    // Sets the logit of every id that may not come next to -infinity. logits: one per vocabulary
    // id. Throws std::invalid_argument when no id may come next (a vocabulary that cannot go on).
    void forbid(std::span<float> logits) const;
    void push(std::int64_t id);  // an id forbid() left open
    std::int64_t notes() const { return decoder_ ? static_cast<std::int64_t>(decoder_->notes()) : tokens_; }

private:
    std::optional<music::TimedDecoder> decoder_;         // timed models only
    std::vector<std::optional<music::TimedToken>> parsed_;  // by id; nullopt: never sampled
    std::int64_t piece_start_ = -1;
    std::int64_t tokens_ = 0;
};

}  // namespace pianola::compose
