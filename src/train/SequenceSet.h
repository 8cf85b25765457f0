// SequenceSet: a split corpus as the next-token trainer and the n-gram baselines read it. Each
// piece is its token ids behind one piece-start token, so a model learns how pieces open and
// never predicts across the seam between two files. Training pieces are kept at every
// transposition in the allowed range, ready for augmentation; validation pieces only as written.
// The vocabulary covers every token of both sides at every kept transposition, so no token is
// ever unknown and every model is scored over the same V.
#pragma once

#include <cstdint>
#include <vector>

#include "music/Corpus.h"
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
    int transpose = 0;              // training pieces are kept at shifts -transpose..+transpose
    // train[piece][shift + transpose]: the piece's ids (piece start first) moved by `shift`
    // semitones; empty where that shift would move a note outside MIDI's 0..127.
    std::vector<std::vector<TokenIds>> train;
    std::vector<TokenIds> validation;  // piece start first, untransposed
    std::int64_t validation_notes = 0; // the notes the validation pieces hold (bits per note divide by it)

    const TokenIds& untransposed(std::size_t piece) const { return train[piece][transpose]; }
    std::int64_t train_tokens() const;       // untransposed, piece starts excluded
    std::int64_t validation_tokens() const;  // the predictions validation scores
};

// Transposition goes through the corpus' tokenizer; a piece that one shift would move outside
// MIDI's range is kept without that shift. With `base` (a model's, to fine-tune), the vocabulary
// holds every token of it too.
SequenceSet make_sequence_set(const music::Corpus& corpus, const PieceSplit& split, int transpose,
                              const music::Vocabulary* base = nullptr);

}  // namespace pianola::train
