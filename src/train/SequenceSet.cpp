#include "train/SequenceSet.h"

#include <optional>
#include <stdexcept>
#include <string>

namespace pianola::train {

namespace {

// The piece moved by `shift`, or nullopt when one of its notes would leave the MIDI range.
std::optional<std::vector<std::string>> transposed(const music::Tokenizer& tokenizer,
                                                   const std::vector<std::string>& tokens, int shift) {
    std::vector<std::string> moved;
    moved.reserve(tokens.size());
    for (const std::string& token : tokens) {
        std::optional<std::string> t = music::transpose(tokenizer, token, shift);
        if (!t) return std::nullopt;
        moved.push_back(std::move(*t));
    }
    return moved;
}

TokenIds encode_piece(const music::Vocabulary& vocabulary, std::int64_t piece_start,
                      const std::vector<std::string>& tokens) {
    TokenIds ids{piece_start};
    ids.reserve(tokens.size() + 1);
    for (const std::string& token : tokens) ids.push_back(vocabulary.id(token));
    return ids;
}

}  // namespace

std::int64_t SequenceSet::train_tokens() const {
    std::int64_t n = 0;
    for (std::size_t piece = 0; piece < train.size(); ++piece)
        n += static_cast<std::int64_t>(untransposed(piece).size()) - 1;
    return n;
}

std::int64_t SequenceSet::validation_tokens() const {
    std::int64_t n = 0;
    for (const TokenIds& piece : validation) n += static_cast<std::int64_t>(piece.size()) - 1;
    return n;
}

SequenceSet make_sequence_set(const music::Corpus& corpus, const PieceSplit& split, int transpose,
                              const music::Vocabulary* base) {
    if (transpose < 0 || transpose > 12) throw std::invalid_argument("transposition must be 0 to 12 semitones");
    // train_text[piece][shift + transpose]: the tokens, or nullopt where the shift leaves the range.
    std::vector<std::vector<std::optional<std::vector<std::string>>>> train_text;
    std::vector<std::string> all{std::string(music::piece_start_token)};
    for (std::size_t piece : split.train) {
        auto& shifts = train_text.emplace_back();
        for (int shift = -transpose; shift <= transpose; ++shift) {
            shifts.push_back(transposed(corpus.tokenizer, corpus.pieces.at(piece).tokens, shift));
            if (shifts.back()) all.insert(all.end(), shifts.back()->begin(), shifts.back()->end());
        }
    }
    for (std::size_t piece : split.validation) {
        const auto& tokens = corpus.pieces.at(piece).tokens;
        all.insert(all.end(), tokens.begin(), tokens.end());
    }
    if (base) all.insert(all.end(), base->tokens().begin(), base->tokens().end());

    SequenceSet set;
    set.tokenizer = corpus.tokenizer;
    set.tempo_us = corpus.median_tempo_us();
    set.vocabulary = music::Vocabulary(std::move(all));
    set.piece_start = set.vocabulary.id(music::piece_start_token);
    set.transpose = transpose;
    for (const auto& shifts : train_text) {
        auto& encoded = set.train.emplace_back();
        for (const auto& tokens : shifts)
            encoded.push_back(tokens ? encode_piece(set.vocabulary, set.piece_start, *tokens) : TokenIds{});
    }
    for (std::size_t piece : split.validation) {
        set.validation.push_back(encode_piece(set.vocabulary, set.piece_start, corpus.pieces[piece].tokens));
        set.validation_notes += corpus.pieces[piece].notes;
    }
    return set;
}

}  // namespace pianola::train
