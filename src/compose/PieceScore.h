// PieceScore: the notes of a composed piece, read by the tokenizer of the model that composed it:
// seed tokens laid out as the original design wrote them (seed_score: half-beat steps, 120 BPM),
// timed tokens with the rhythm, durations, octaves, dynamics and tempos they spell (without tempo
// tokens, at the tempo of the model's training corpus). Malformed timed tokens are skipped, never
// written (TimedDecoder).
// It does not write files: callers turn the Score into MIDI (music::midi_from_score) or audio.
#pragma once

#include <string>
#include <vector>

#include "model/ModelFile.h"
#include "music/Score.h"

namespace pianola::compose {

// tempo_us: 0 plays at the model's tempo (seed models: 120 BPM); else the piece starts at it, and
// tempo tokens' changes keep their ratios to the start.
music::Score piece_score(const model::ModelInfo& info, const std::vector<std::string>& tokens, std::uint32_t tempo_us = 0);

// Whether the model's pieces are pedalled by rule (music::pedal_at_bass_changes) unless asked
// otherwise: at least this share of its training corpus' pieces press the sustain pedal (`train`
// records it) and its tokens hold no pedal (neither pedal tokens nor the pedal read into durations).
// One pedalling corpus measured (ff-piano, 30%: README); nottingham and the Debian corpus, 0%.
inline constexpr double pedalled_corpus_share = 0.2;
bool pedalled_by_rule(const model::ModelInfo& info);

}  // namespace pianola::compose
