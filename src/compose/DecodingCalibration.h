// DecodingCalibration: how a model composes by default, measured for that model: the top-p for
// pitch tokens, time tokens and durations (TokenSampler cuts them apart), the temperature of time
// tokens and of durations, the pull of the piece memory
// (model::PieceMemory) and that of the key (KeyPull). A strong model of a clean corpus sounds like its corpus with little
// cut; a weaker one drifts out of key unless its unlikely pitches are cut (or the key pull,
// KeyPull, keeps it there), while cutting its unlikely time tokens flattens the rhythm (on ff-piano one top-p of 0.4 for both left 2 distinct
// inter-onset intervals against 6). The memory's weights are fitted on held-out pieces read token
// by token; composing, a piece reads its own draws, and copying at full weight feeds on itself
// until the piece loops (on ff-piano 16 of 20 pieces at full weight, none at 0.7). So pieces are
// composed at a few settings and the one whose pieces are nearest the model's held-out human
// pieces wins, by eval::SetDistance over several features at once (pitch classes, key, rhythm,
// polyphony, range, repetition), except that a setting whose pieces repeat themselves more than
// the held-out pieces do (repeats_more_than) ranks after every setting whose pieces do not: the
// distance forgives it where a few held-out pieces repeat a lot (on the Debian corpus, 2 of its 8
// held-out pieces; README). The pieces are as long as the median held-out piece, the length
// generate composes by default, so that length alone (range grows with it, repetition too) does not
// count.
// It also measures how much the pieces copy (the chosen setting once more, without the guard),
// for train's warning about folders too small for the model. It does not change the model.
#pragma once

#include <cstddef>
#include <vector>

#include "eval/MusicStats.h"
#include "eval/SetDistance.h"
#include "model/ModelFile.h"

namespace pianola::compose {

// The model's held-out pieces, decoded and heard (music::heard: a model with pedal tokens pedals
// them), as MusicStats (pieces without pitched notes left out: eval::measurable);
// with notes > 0, each cut to its first `notes` notes.
std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info, std::size_t notes = 0);

struct DecodingTrial {
    double top_p = 1, time_top_p = 1;
    double time_temperature = 0.8;  // the temperature of time tokens (pitch tokens: calibrate_decoding's)
    double memory = 0;            // the piece memory's strength (model::scaled)
    double key_pull = 0;          // KeyPull's strength
    double duration_top_p = 1, duration_temperature = 1;  // of note durations (timed tokens)
    eval::SetDistance distance;   // the composed pieces' to the held-out pieces
    bool repeats_more = false;    // its pieces repeat more than the held-out pieces (repeats_more_than)
};

// Whether composed pieces repeat themselves more than human ones: their median share of distinct
// 4-onset runs over 0.15 below the human pieces' (issue 14's measure of repeating as people do).
// False where either set is empty.
bool repeats_more_than(const std::vector<eval::MusicStats>& composed, const std::vector<eval::MusicStats>& human);

// Whether trial `a` ranks before `b`: pieces that repeat like people before pieces that repeat
// more, then the nearer to the held-out pieces.
bool ranks_before(const DecodingTrial& a, const DecodingTrial& b);

struct DecodingCalibration {
    DecodingTrial chosen;                 // the nearest trial
    std::vector<DecodingTrial> tried;     // in the order tried
    std::size_t planned = 0;              // the trials of the whole plan, of which `tried` ran
    int pieces = 0;                       // composed per trial
    std::size_t notes = 0;                // in each of them: the median held-out piece's, within [150, 1000]
    std::size_t longest_human_copy = 0;   // the longest run a held-out piece shares with the training pieces
    // Of `pieces` composed at the chosen setting without the originality guard: those sharing a
    // longer run with the training pieces than any held-out piece does.
    int copying = 0;
};

// How many trials of each stage (of `sizes` trials each) a budget of `affordable` trials runs: all
// where they fit, else shares in proportion to the stages' sizes (largest remainders first, ties
// to the earlier stage).
std::vector<std::size_t> stage_quotas(const std::vector<std::size_t>& sizes, std::size_t affordable);

// Composes with the model's stored piece-memory weights (training["memory"]; none: no memory).
// The first trial is always run; its time prices the rest, and where the whole plan would take
// longer than `budget_seconds` (a Transformer's step, which reads every piece's key/value cache,
// costs many times an LSTM's), each stage runs the share of its trials that fits, coarse values
// first. Throws std::invalid_argument for a model without held-out pieces or not a next-token model.
DecodingCalibration calibrate_decoding(model::LoadedModel& model, double temperature, double budget_seconds);

}  // namespace pianola::compose
