// PieceEvaluation: what `pianola evaluate` measures of each piece: its music (MusicStats) and how
// much of it is copied from a set of training pieces: the longest run of timed tokens it shares
// with them exactly and in any key, and the share of its 8-token runs found in them. Composed
// pieces and held-out human pieces go through the same measure, so the human ones are the
// yardstick: a composed piece is flagged as a loop when its loop measures leave their range.
// It reads Scores, and the training pieces as tokens; finding and splitting the corpus is the
// command's job.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "eval/MusicStats.h"
#include "music/Score.h"

namespace pianola::eval {

struct PieceEvaluation {
    std::string name;
    MusicStats music;
    std::size_t tokens = 0;            // timed tokens (the default tokenizer's)
    std::size_t copy_exact = 0;        // the longest run of tokens shared with the training pieces
    std::size_t copy_any_key = 0;      // the same, in any transposition
    double shared_8grams = 0;          // share of its 8-token runs found in the training pieces
    bool loop = false;                 // composed pieces: outside the held-out pieces' loop range
};

// A piece as written: its statistics are taken as it is heard (music::heard: pedalled notes ring),
// its copying of the training pieces from its keys, as the training pieces are tokenized.
struct NamedScore {
    std::string name;
    music::Score score;
};

struct Evaluation {
    std::vector<PieceEvaluation> composed, held_out;
};

// training: the training pieces' tokens from a default music::TimedTokenizer (a corpus loaded with
// it holds them already, so the pieces copying is measured against are not read twice). Throws
// std::invalid_argument naming a piece without notes.
Evaluation evaluate_pieces(const std::vector<NamedScore>& composed, const std::vector<NamedScore>& held_out,
                           const std::vector<std::vector<std::string>>& training);

}  // namespace pianola::eval
