// Accompany: composes the other parts of a piece around a given melody, with a left-to-right
// next-token model of timed tokens in bars. The melody's notes stand where they stand (its bars
// and meters, onsets, durations, loudness and programs); the model draws everything else, under
// its grammar, piece memory and key pull as `generate` composes: it may start onsets between the
// melody's, never move time past the melody's next onset, and plays more than an octave below
// every melody note sounding, so the tune stays on top and the model writes no second melody
// under it. At a melody onset the model chooses when, after the notes it sets under it, the
// melody's notes come (they are then read in as given), the key pull starts from the whole tune.
// Several drafts (particles) go on together from melody onset to melody onset, and where some made
// the melody's notes there much likelier than others, the likelier ones are copied over the rest
// (sequential Monte Carlo, with the melody's notes as the evidence): the model sets its chord at an
// onset before it hears the tune's note there, and this keeps the chords that fit the tune. The
// particle that found the whole melody likeliest is kept.
// It is not anticipation (the model does not see the melody's next notes before it draws an
// onset) and it never rewrites a melody note; the originality guard does not apply (the tune is
// the user's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compose/LmComposer.h"

namespace pianola::compose {

struct AccompanyOptions {
    int particles = 8;                // drafts going on together
    std::uint64_t seed = 1;           // particle k draws from seed + k; the resampling from seed
    SamplingOptions sampling;
    model::MemoryWeights memory;      // all zero: off
    double key_pull = 0;
};

// How an accompaniment goes with its melody.
struct AccompanimentFit {
    int melody_notes = 0, accompaniment_notes = 0;
    // The model's surprise at the melody's notes (pitch and duration tokens), bits per note: with
    // this accompaniment, and heard alone.
    double melody_bits_per_note = 0, alone_bits_per_note = 0;
    // The share of the accompaniment's pitched notes in the melody's key: the major or harmonic
    // minor scale holding the most of the melody's notes (eval::fullest_scale). None where the
    // parts are drums only (a band model's parts may be).
    std::optional<double> in_key;
};

struct AccompaniedPiece {
    std::vector<std::string> tokens;  // melody and accompaniment, in the model's tokenizer
    std::vector<bool> given;          // by token: a melody note's pitch or duration
    AccompanimentFit fit;
};

// melody: a piece's tokens in the model's tokenizer (without the piece-start token). Throws
// std::invalid_argument for a model that is not a next-token model of timed bar tokens, a melody
// without notes, or a token of it the model never learned.
AccompaniedPiece accompany(model::LoadedModel& model, const std::vector<std::string>& melody, const AccompanyOptions& options);

// How the parts of a piece (its tokens `given` leaves unmarked) go with its melody (those it marks,
// the notes of `melody`, a piece's tokens alone): the figures accompany() reports, measured again
// on any piece, as the model hears it. Throws as accompany() does.
AccompanimentFit accompaniment_fit(model::LoadedModel& model, const std::vector<std::string>& piece,
                                   const std::vector<bool>& given, const std::vector<std::string>& melody);

// Which of a piece's tokens are the melody's notes: the pitch (or drum) and duration tokens of each
// note with the onset and key of a melody note (each melody note found once). How `evaluate
// --melody` finds the tune in a piece composed around it. Throws std::invalid_argument for a model
// of seed tokens.
std::vector<bool> melody_marks(const model::ModelInfo& info, const std::vector<std::string>& piece,
                               const std::vector<std::string>& melody);

// The tokens of the accompaniment alone: the piece without the melody's notes (its bars, positions,
// levels and programs stay, so each accompaniment note decodes as it was composed).
std::vector<std::string> accompaniment_tokens(const AccompaniedPiece& piece);

}  // namespace pianola::compose
