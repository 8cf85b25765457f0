// Vocabulary: the sorted set of distinct tokens and their integer ids (id = rank in byte order),
// as the original design built it. Saved inside the model file so a model decodes its own ids.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pianola::music {

// Opens every piece for next-token models: they learn how pieces begin, and generation starts
// from it. '<' sorts after the digits and before the letters, so no tokenizer's token collides.
inline constexpr std::string_view piece_start_token = "<piece>";

class Vocabulary {
public:
    Vocabulary() = default;
    explicit Vocabulary(std::vector<std::string> tokens);  // sorted and deduplicated here

    std::size_t size() const { return tokens_.size(); }
    const std::string& token(std::int64_t id) const { return tokens_.at(static_cast<std::size_t>(id)); }
    bool contains(std::string_view token) const;
    std::int64_t id(std::string_view token) const;  // throws std::out_of_range for an unknown token
    const std::vector<std::string>& tokens() const { return tokens_; }

    std::vector<std::int64_t> encode(const std::vector<std::string>& tokens) const;

private:
    // Lets id() and contains() look up a string_view without building a std::string.
    struct TokenHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view token) const { return std::hash<std::string_view>{}(token); }
    };
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, std::int64_t, TokenHash, std::equal_to<>> ids_;
};

}  // namespace pianola::music
