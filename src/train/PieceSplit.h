// PieceSplit: which pieces train and which validate. Whole pieces go to one side, never windows
// of one piece to both: neighbouring windows of a piece share almost all their tokens, so a
// window split would score memorization as generalization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pianola::train {

struct PieceSplit {
    std::vector<std::size_t> train, validation;  // piece indices, each side in ascending order
};

// A seeded random `fraction` of the pieces (rounded, at least one when fraction > 0) validates;
// at least one piece always trains. The same count, fraction and seed give the same split.
// Throws std::invalid_argument for a fraction outside [0, 1) or no pieces.
PieceSplit split_pieces(std::size_t pieces, double fraction, std::uint64_t seed);

}  // namespace pianola::train
