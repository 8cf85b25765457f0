// LmComposer: generation with a next-token model, one token per step with the network's state
// carried (an LSTM's h and c, a Transformer's cached keys and values; never a window re-run). A piece starts from the piece-start token, as every training piece
// did, so no training material is needed to prime it; or from a primer, the user's own opening,
// which the pieces contain and continue. The piece-start token itself is never emitted: a piece
// ends when it has its length, not when the model would start another.
// K pieces run as one batch of K rows through NextTokenModel::step;
// each row has its own grammar (TokenRules), sampler state and originality guard (CopyGuard).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "compose/CopyGuard.h"
#include "compose/KeyPull.h"
#include "compose/TokenRules.h"
#include "compose/TokenSampler.h"
#include "model/ModelFile.h"
#include "model/PieceMemory.h"

namespace pianola::compose {

// What draws a piece toward itself as it is composed: its memory of its own passages and the
// key it has set up. All off by default.
struct PiecePulls {
    model::MemoryWeights memory;      // model::PieceMemory's weights; all zero: off
    double key = 0;                   // KeyPull's strength; 0: off
    std::vector<int> pitch_classes;   // by id (compose::pitch_classes); needed with a key pull
};

// One draw for one piece: its memory (if any) and key pull (if any) change `logits` (V, the
// network's for the next token), `allowed` (by id; empty: every id), its rules and guard (if any)
// cut them, the sampler picks. -1 where the cuts left nothing (only possible with `allowed`).
std::int64_t draw_next(std::span<float> logits, model::PieceMemory* memory, const KeyPull* key, const PiecePulls& pulls,
                       const TokenRules& rules, CopyGuard* guard, TokenSampler& sampler, std::mt19937_64& rng,
                       const std::vector<bool>& allowed = {});

// One piece per entry of `rules` (begun, with the primer pushed), each continuing `primer` (ids,
// piece start first): ids drawn where its rules and its guard allow until the rules say it is
// done. guards: empty, or one per piece (with the primer pushed), read afterwards for the runs
// each piece shares with the training pieces. Each piece's own memory (model/PieceMemory) and
// key pull (KeyPull), the primer read first, change the network's logits before the rules and
// the guard cut them. The loop of compose_lm, and what `bench generate` times. Piece k draws from a
// generator seeded with seed + k, so it does not depend on how many pieces share the batch.
std::vector<std::vector<std::int64_t>> continue_from(model::NextTokenModelImpl& net, const std::vector<std::int64_t>& primer,
                                                    std::vector<TokenRules> rules, std::vector<CopyGuard>& guards,
                                                    const SamplingOptions& sampling, std::uint64_t seed,
                                                    const PiecePulls& pulls = {});

struct ComposeOptions {
    PieceLength length;                    // of the continuation, the primer not counted
    bool cadence = false;                  // a length in bars or seconds ends on the tonic chord (TokenRules)
    int count = 1;
    std::uint64_t seed = 1;
    SamplingOptions sampling;
    std::vector<std::string> primer;       // tokens of the model's tokenizer; empty: from a piece's start
    std::optional<std::size_t> max_copy;   // the guard's limit, in tokens; none: runs are measured, not limited
    std::uint32_t tempo_us = 0;            // what a length in seconds is counted at; 0: the model's tempo
    model::MemoryWeights memory;           // the piece memory's pull; all zero (the default): off
    double key_pull = 0;                   // KeyPull's strength; 0: off
};

struct ComposedPiece {
    std::vector<std::string> tokens;  // the primer, then the continuation
    std::size_t primer_tokens = 0;
    std::size_t longest_copy = 0;     // the longest run shared with the training pieces (in any key), in tokens
    int guard_gave_way = 0;           // steps where the guard had to let a run grow (the grammar left nothing else)
};

// The most instruments a piece of `seed` may play: a size drawn by the seed from the model's
// training pieces' (the model file's "ensembles", music::ensemble_sizes: a band model's), else 0 (any).
int ensemble_limit(const model::ModelInfo& info, std::uint64_t seed);

// Each piece keeps to an ensemble_limit of its seed.
// Throws std::invalid_argument for a seed-design model, a vocabulary without a piece-start token,
// a primer token the model does not know or whose grammar it breaks, or options out of range.
// copies: the model's TrainingCopies (needed for max_copy); without them no run is measured.
std::vector<ComposedPiece> compose_lm(model::LoadedModel& model, const ComposeOptions& options,
                                      const TrainingCopies* copies);

}  // namespace pianola::compose
