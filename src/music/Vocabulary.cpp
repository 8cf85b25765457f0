// Vocabulary ids are ranks in byte order, so the same token set always gives the same ids
// whatever order the corpus was read in. It is not a tokenizer: it never splits or builds tokens.
#include "music/Vocabulary.h"

#include <algorithm>
#include <stdexcept>

namespace pianola::music {

Vocabulary::Vocabulary(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {
    std::sort(tokens_.begin(), tokens_.end());
    tokens_.erase(std::unique(tokens_.begin(), tokens_.end()), tokens_.end());
    ids_.reserve(tokens_.size());
    for (std::size_t i = 0; i < tokens_.size(); ++i) ids_.emplace(tokens_[i], static_cast<std::int64_t>(i));
}

bool Vocabulary::contains(std::string_view token) const { return ids_.find(token) != ids_.end(); }

std::int64_t Vocabulary::id(std::string_view token) const {
    const auto found = ids_.find(token);
    if (found == ids_.end()) throw std::out_of_range("token \"" + std::string(token) + "\" is not in the vocabulary");
    return found->second;
}

std::vector<std::int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
    std::vector<std::int64_t> ids;
    ids.reserve(tokens.size());
    for (const std::string& token : tokens) ids.push_back(id(token));
    return ids;
}

}  // namespace pianola::music
