// CorpusSurvey: whether a corpus' pieces vary their loudness, change their tempo, press the
// sustain pedal and play several instruments, which decides (loudness, tempo, instruments) or is
// told (the pedal) what the timed tokens carry by default. Where a piece plays every note at one velocity (most
// notation exports), velocity levels only lengthen the sequences the model must learn; where pieces
// are played or written with dynamics, the levels carry what a listener hears (measured: the
// README's "Velocity"). Tempo tokens cost a token a piece and one a change, so they are kept
// where as few as one piece in ten changes tempo (the README's "Tempo changes"). Pedal tokens are
// not chosen by it: on ff-piano a model pressed the pedal and held it where pianists change it (the
// README's "The sustain pedal"), so `train` only says how many pieces press it.
// Where most pieces play several instruments (a band, drums counted as one), the tokens name each
// note's instrument, so a band comes out as one (the README's "Several instruments").
// It does not choose the levels' bands or the tempo grid (TimedTokenizer's).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "music/TimedTokenizer.h"

namespace pianola::music {

struct CorpusSurvey {
    std::size_t pieces = 0;   // files read with pitched notes
    int median_range = 0;     // the median piece's loudest pitched note's velocity minus its softest's
    double varying = 0;       // the share of those pieces whose velocities vary at all
    double tempo_changing = 0;  // the share whose tempo (on the tempo tokens' grid) changes between their first and last onset
    double pedalled = 0;        // the share that press the sustain pedal by their last onset
    double bands = 0;           // the share that play more than one instrument (programs of pitched notes; the drums one more)
};

// Reads up to `sample` of the files, evenly spread over the list (so a survey of a large corpus
// costs what one of `sample` files does); files that cannot be read or hold no pitched notes are passed over.
CorpusSurvey survey_corpus(const std::vector<std::filesystem::path>& files, std::size_t sample = 64);

// The velocity levels a corpus is read with unless told: 4 where its median piece varies its
// loudness, else none.
int default_velocity_levels(const CorpusSurvey& survey);

// Whether a corpus is read with tempo tokens unless told: where at least one piece in ten changes tempo.
bool default_tempo_tokens(const CorpusSurvey& survey);

// The instruments a corpus is read with unless told: all where at least half its pieces play
// several, else piano.
Instruments default_instruments(const CorpusSurvey& survey);

}  // namespace pianola::music
