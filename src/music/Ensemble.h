// Ensemble: how many instruments a piece of timed tokens plays, each General MIDI program of its
// pitched notes and the drum kit as one more, read as the decoder reads them (a note plays the
// program of the last `prog:` token before it, the piano before any); and the count of a corpus'
// pieces by that number, which a band model keeps to compose ensembles of the corpus' sizes.
// It does not judge which instruments go together; the model does.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "music/Corpus.h"
#include "music/Score.h"

namespace pianola::music {

// Where the drum kit counts among the instruments: after the 128 General MIDI programs.
constexpr int kit_instrument = 128;

// 0 for a piece without notes.
int ensemble_size(std::span<const std::string> tokens);
// The same of a score's notes: the programs of its pitched notes, the kit one more.
int ensemble_size(const Score& score);

// By size: how many of the corpus' pieces play 0, 1, 2, ... instruments (as long as the largest).
std::vector<int> ensemble_sizes(const Corpus& corpus);

}  // namespace pianola::music
