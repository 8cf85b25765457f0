#include "train/SequenceSet.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace pianola::train {

namespace {

// `ids` (into the corpus' table) as vocabulary ids through `to_vocabulary`, behind a piece start.
TokenIds encode_piece(const std::vector<std::int64_t>& to_vocabulary, std::int64_t piece_start,
                      const std::vector<std::uint32_t>& ids) {
    TokenIds out{piece_start};
    out.reserve(ids.size() + 1);
    for (const std::uint32_t id : ids) out.push_back(to_vocabulary[id]);
    return out;
}

// The distinct ids of a piece, found with a stamp per table id (a piece's number) instead of a
// set per piece.
class DistinctIds {
public:
    explicit DistinctIds(std::size_t table_size) : stamp_(table_size, 0) {}
    const std::vector<std::uint32_t>& of(const std::vector<std::uint32_t>& ids) {
        ++piece_;
        distinct_.clear();
        for (const std::uint32_t id : ids)
            if (stamp_[id] != piece_) {
                stamp_[id] = piece_;
                distinct_.push_back(id);
            }
        return distinct_;
    }

private:
    std::vector<std::uint64_t> stamp_;
    std::uint64_t piece_ = 0;
    std::vector<std::uint32_t> distinct_;
};

// Each distinct token at every shift -transpose..+transpose (nullopt where it leaves the range),
// computed once per token rather than once per occurrence.
class ShiftTable {
public:
    ShiftTable(const music::Tokenizer& tokenizer, int transpose) : tokenizer_(tokenizer), transpose_(transpose) {}

    const std::vector<std::optional<std::string>>& moves_of(const std::string& token) {
        auto [it, added] = moves_.try_emplace(token);
        if (added)
            for (int shift = -transpose_; shift <= transpose_; ++shift)
                it->second.push_back(music::transpose(tokenizer_, token, shift));
        return it->second;
    }

private:
    const music::Tokenizer& tokenizer_;
    int transpose_;
    std::unordered_map<std::string, std::vector<std::optional<std::string>>> moves_;
};

}  // namespace

TokenIds SequenceSet::transposed(std::size_t piece, int shift) const {
    const std::vector<int>& fits = train_shifts.at(piece);
    if (!std::binary_search(fits.begin(), fits.end(), shift)) return {};
    const std::vector<std::int64_t>& moved = shift_ids.at(static_cast<std::size_t>(shift + transpose));
    TokenIds ids;
    ids.reserve(train[piece].size());
    for (std::int64_t id : train[piece]) ids.push_back(moved[static_cast<std::size_t>(id)]);
    return ids;
}

std::int64_t SequenceSet::train_tokens() const {
    std::int64_t n = 0;
    for (const TokenIds& piece : train) n += static_cast<std::int64_t>(piece.size()) - 1;
    return n;
}

std::int64_t SequenceSet::validation_tokens() const {
    std::int64_t n = 0;
    for (const TokenIds& piece : validation) n += static_cast<std::int64_t>(piece.size()) - 1;
    return n;
}

SequenceSet make_sequence_set(const music::Corpus& corpus, const PieceSplit& split, int transpose,
                              const music::Vocabulary* base, bool fill) {
    if (transpose < 0 || transpose > 12) throw std::invalid_argument("transposition must be 0 to 12 semitones");
    SequenceSet set;
    set.tokenizer = corpus.tokenizer;
    set.tempo_us = corpus.median_tempo_us();
    set.transpose = transpose;

    // The vocabulary: every token of every piece, and each training piece's tokens at every shift
    // that fits the whole piece.
    const std::vector<std::string>& table = corpus.token_table();
    ShiftTable shifts(corpus.tokenizer, transpose);
    DistinctIds distinct_ids(table.size());
    std::unordered_set<std::string> all{std::string(music::piece_start_token)};
    for (std::size_t piece : split.train) {
        const std::vector<std::uint32_t>& distinct = distinct_ids.of(corpus.pieces.at(piece).ids);
        std::vector<int>& fits = set.train_shifts.emplace_back();
        for (int shift = -transpose; shift <= transpose; ++shift) {
            const auto index = static_cast<std::size_t>(shift + transpose);
            if (std::all_of(distinct.begin(), distinct.end(),
                            [&](std::uint32_t id) { return shifts.moves_of(table[id])[index].has_value(); })) {
                fits.push_back(shift);
                for (const std::uint32_t id : distinct) all.insert(*shifts.moves_of(table[id])[index]);
            }
        }
    }
    for (std::size_t piece : split.validation)
        for (const std::uint32_t id : distinct_ids.of(corpus.pieces.at(piece).ids)) all.insert(table[id]);
    if (base) all.insert(base->tokens().begin(), base->tokens().end());
    const auto* timed = std::get_if<music::TimedTokenizer>(&corpus.tokenizer);
    if (fill && timed && timed->options().time == music::TimeTokens::bars) {
        all.insert("bar");  // a corpus of empty files has none, and a gap is counted in bars
        for (const std::string_view marker : music::fill_marker_tokens) all.emplace(marker);
    }
    set.vocabulary = music::Vocabulary(std::vector<std::string>(all.begin(), all.end()));
    set.piece_start = set.vocabulary.id(music::piece_start_token);
    set.fill = music::fill_markers(set.vocabulary);
    if (set.fill) set.bar = set.vocabulary.id("bar");
    // Markers are no notes: every shift leaves them where they are.
    std::vector<bool> marker(set.vocabulary.size(), false);
    marker[static_cast<std::size_t>(set.piece_start)] = true;
    if (set.fill)
        for (const std::int64_t id : {set.fill->after, set.fill->fill, set.fill->filled}) marker[static_cast<std::size_t>(id)] = true;

    for (int shift = -transpose; shift <= transpose; ++shift) {
        std::vector<std::int64_t>& moved = set.shift_ids.emplace_back(set.vocabulary.size(), -1);
        for (std::size_t id = 0; id < set.vocabulary.size(); ++id) {
            if (marker[id]) {
                moved[id] = static_cast<std::int64_t>(id);
                continue;
            }
            const std::string& token = set.vocabulary.token(static_cast<std::int64_t>(id));
            const std::optional<std::string>& to = shifts.moves_of(token)[static_cast<std::size_t>(shift + transpose)];
            if (to && set.vocabulary.contains(*to)) moved[id] = set.vocabulary.id(*to);
        }
    }
    // Table ids to vocabulary ids; -1 for table tokens no piece of the split holds.
    std::vector<std::int64_t> to_vocabulary(table.size(), -1);
    for (std::size_t id = 0; id < table.size(); ++id)
        if (set.vocabulary.contains(table[id])) to_vocabulary[id] = set.vocabulary.id(table[id]);
    for (std::size_t piece : split.train)
        set.train.push_back(encode_piece(to_vocabulary, set.piece_start, corpus.pieces[piece].ids));
    for (std::size_t piece : split.validation) {
        set.validation.push_back(encode_piece(to_vocabulary, set.piece_start, corpus.pieces[piece].ids));
        set.validation_notes += corpus.pieces[piece].notes;
        set.validation_piece_notes.push_back(corpus.pieces[piece].notes);
    }
    return set;
}

}  // namespace pianola::train
