// SequenceSet: a split corpus as the next-token trainer and the n-gram baselines read it. Each
// piece is its token ids behind one piece-start token, so a model learns how pieces open and
// never predicts across the seam between two files. Training pieces are kept once, with one id
// table per transposition in the allowed range for augmentation; validation pieces only as
// written. The vocabulary covers every token of both sides at every transposition a piece takes,
// so no token is ever unknown and every model is scored over the same V.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "music/Corpus.h"
#include "music/FillInTheMiddle.h"
#include "music/Tokenizer.h"
#include "music/Vocabulary.h"
#include "train/PieceSplit.h"

namespace pianola::train {

using TokenIds = std::vector<std::int64_t>;

struct SequenceSet {
    music::Tokenizer tokenizer;     // the corpus' own: the model file records it for decoding
    std::uint32_t tempo_us = 500000;  // the corpus' median tempo, which a timed model composes at
    music::Vocabulary vocabulary;
    std::int64_t piece_start = 0;   // id of music::piece_start_token
    // The markers a piece laid out to fill in the middle holds (train/EpochStreams), and the bar
    // token's id; nullopt and -1 for a set not made to fill.
    std::optional<music::FillMarkers> fill;
    std::int64_t bar = -1;
    int transpose = 0;              // training pieces may move by -transpose..+transpose semitones
    std::vector<TokenIds> train;    // piece start first, as written
    // train_shifts[piece]: the shifts that keep every note of it in MIDI's 0..127, ascending.
    std::vector<std::vector<int>> train_shifts;
    // shift_ids[shift + transpose][id]: the id of the token moved by `shift`; -1 where no training
    // piece it fits moves it. Pieces are kept once and moved through these tables when read, not
    // held at every transposition (2 x transpose + 1 times the memory).
    std::vector<std::vector<std::int64_t>> shift_ids;
    std::vector<TokenIds> validation;  // piece start first, untransposed
    std::int64_t validation_notes = 0; // the notes the validation pieces hold (bits per note divide by it)
    std::vector<std::int64_t> validation_piece_notes;  // each validation piece's

    // Training piece `piece` moved by `shift` semitones; empty where that shift does not fit it.
    TokenIds transposed(std::size_t piece, int shift) const;
    std::int64_t train_tokens() const;       // untransposed, piece starts excluded
    std::int64_t validation_tokens() const;  // the predictions validation scores
};

// Transposition goes through the corpus' tokenizer; a piece that one shift would move outside
// MIDI's range is kept without that shift. With `base` (a model's, to fine-tune), the vocabulary
// holds every token of it too. With `fill`, timed tokens in bars get the fill-in-the-middle
// markers too (other tokenizers have no bars to fill and get none).
SequenceSet make_sequence_set(const music::Corpus& corpus, const PieceSplit& split, int transpose,
                              const music::Vocabulary* base = nullptr, bool fill = false);

}  // namespace pianola::train
