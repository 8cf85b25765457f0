// LoudnessSurvey: whether a corpus' pieces vary their loudness, which decides whether velocity
// tokens are worth learning by default: where a piece plays every note at one velocity (most
// notation exports), levels only lengthen the sequences the model must learn; where pieces are
// played or written with dynamics, the levels carry what a listener hears (measured: the README's
// "Velocity").
// It does not choose the levels' bands (TimedTokenizer's equal bands) nor read drums.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace pianola::music {

struct LoudnessSurvey {
    std::size_t pieces = 0;   // files read with pitched notes
    int median_range = 0;     // the median piece's loudest pitched note's velocity minus its softest's
    double varying = 0;       // the share of those pieces whose velocities vary at all
};

// Reads up to `sample` of the files, evenly spread over the list (so a survey of a large corpus
// costs what one of `sample` files does); files that cannot be read or hold no pitched notes are passed over.
LoudnessSurvey survey_loudness(const std::vector<std::filesystem::path>& files, std::size_t sample = 64);

// The velocity levels a corpus is read with unless told: 4 where its median piece varies its
// loudness, else none.
int default_velocity_levels(const LoudnessSurvey& survey);

}  // namespace pianola::music
