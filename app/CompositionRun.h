// Compositions as the CLI shows them: load a model, prime it, compose, guard against copies,
// re-draw pieces caught in a loop, write the MIDI files, report. Shared by `generate`, `demo` and
// the web studio.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compose/Accompany.h"
#include "compose/Infill.h"
#include "compose/ReadyModels.h"
#include "compose/TokenRules.h"
#include "compose/TokenSampler.h"
#include "midi/MidiFile.h"

namespace pianola::app {

// What `generate` composes with when not told otherwise (chosen with `pianola evaluate`, see the
// README): next-token models sample at this temperature, within the top-p values `train`
// calibrated for the model's pitch and time tokens, with the piece memory at the calibrated
// strength (compose::calibrate_decoding), or these for models trained before calibration (a file
// calibrated before time tokens were cut apart keeps its top-p for pitches and leaves time uncut;
// one from before the piece memory has none); seed-design models take the argmax, as the original did.
inline constexpr double default_temperature = 0.8, default_top_p = 0.95, default_time_top_p = 1.0, default_memory = 1.0;

// Bars of a piece to rewrite (compose::infill) instead of composing from nothing.
struct InfillRequest {
    std::filesystem::path piece;  // a MIDI file
    int first_bar = 1, last_bar = 1;  // 1-based, both rewritten
    compose::InfillKeep keep = compose::InfillKeep::nothing;  // what of those bars stays
};

struct CompositionRequest {
    std::filesystem::path model;
    std::filesystem::path out;  // the MIDI file; with count > 1, piece k goes to OUT-k.mid (k from 1)
    std::optional<compose::PieceLength> length;  // none: the model's calibrated length (piece_notes), else 500 notes
    bool cadence = true;        // a length in bars or seconds ends on the tonic chord (compose::TokenRules)
    int count = 1;              // pieces; a next-token model composes them as one batch
    std::uint64_t seed = 1;     // piece k uses seed + k - 1
    std::optional<double> temperature;  // none: the default for the model's kind
    int top_k = 0;
    std::optional<double> top_p;        // none: the calibrated top-p of a next-token model, 1 for a seed-design one
    std::optional<double> time_top_p;   // time tokens; none: the calibrated one (timed tokens only)
    std::optional<double> time_temperature;  // time tokens; none: the calibrated one, or `temperature` where that is given
    std::optional<double> duration_top_p, duration_temperature;  // durations; none: the calibrated ones, else time's
    std::optional<std::filesystem::path> primer;  // a MIDI file the pieces continue (they hold it first)
    std::optional<std::string> chord;   // or a chord or key, held for a bar, to start from
    std::optional<std::size_t> max_copy;  // tokens; 0: no limit; none: the model's measured default
    std::optional<double> bpm;          // none: the primer's tempo, else the model's
    std::optional<int> program;         // General MIDI program of every non-drum note; else each note's own
    int redraw = 0;                     // times a piece caught in a loop (or of drums only) is composed again
    std::optional<double> memory;       // the piece memory's pull, times what `train` fitted (0: off); none: as calibrated
    std::optional<double> key_pull;     // compose::KeyPull's strength (0: off); none: as calibrated
    // Pedal new pieces at their bass changes (music::pedal_at_bass_changes); none: where the
    // training corpus pedals (compose::pedalled_by_rule).
    std::optional<bool> bass_pedal;
    std::optional<InfillRequest> infill;  // rewrite bars of this piece instead (length, primer and guard do not apply)
    std::optional<std::filesystem::path> melody;  // or compose the other parts around this MIDI file's notes (compose::accompany)
};

// A written piece: its MIDI file, and for a next-token model the longest run it shares with the
// training pieces in any key (tokens) and the guard's limit (0: none).
struct ComposedFile {
    std::filesystem::path midi;
    std::optional<std::size_t> longest_copy;  // none for a seed-design model (no guard, no index)
    std::size_t copy_limit = 0;
    std::optional<compose::InfillFit> infill;  // bars rewritten: how well they fit
    std::optional<compose::AccompanimentFit> accompaniment;  // parts composed around a melody: how they go with it
    bool looked_ahead = false;  // bars rewritten by a model trained to fill, which read the bars after them first
};

// A MIDI file in the model's tokens, with its starting tempo: a primer, a piece to infill, or one
// whose rewritten bars `evaluate` measures. Throws std::invalid_argument naming the file.
struct FilePiece {
    std::vector<std::string> tokens;
    std::uint32_t tempo_us = 0;
};
FilePiece file_piece(const model::ModelInfo& info, const std::filesystem::path& path);
// The same of a file already read from `path`.
FilePiece file_piece(const model::ModelInfo& info, const midi::MidiFile& file, const std::filesystem::path& path);

// Parts around a melody as `evaluate --json` and the studio send them: {melody_notes, notes, in_key
// (null: the parts are drums only), melody_bits_per_note, alone_bits_per_note}.
nlohmann::json accompaniment_fit_json(const compose::AccompanimentFit& fit);

// The MIDI file of piece k (0-based) of `count`.
std::filesystem::path piece_path(const std::filesystem::path& out, int k, int count);

// Returns the pieces written, in piece order. Throws std::invalid_argument for options the
// model cannot honour (a primer, a guard or a length in time for a seed-design model).
std::vector<ComposedFile> run_composition(const CompositionRequest& request);
// The same with a model already loaded (request.model is then not read): what a server that keeps
// its models loaded (compose::ReadyModels) composes with.
std::vector<ComposedFile> run_composition(const CompositionRequest& request, compose::ReadyModel& ready);

}  // namespace pianola::app
