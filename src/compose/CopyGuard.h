// The originality guard. TrainingCopies indexes a model's training pieces in interval spelling
// (music::IntervalSpeller, so a copy in another key is still a copy) and measures what the
// model's held-out human pieces share with them by chance. A CopyGuard follows one piece as it is
// composed: it knows the longest run at the piece's end that occurs in the training pieces, and
// once that run is `limit` tokens long it forbids every token that would make it longer, so the
// sampler draws from the remaining probability mass. Only where the grammar leaves nothing else
// does the guard give way, and it counts that.
// It does not sample and knows nothing of the grammar (TokenRules) or the network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "eval/CopyIndex.h"
#include "model/ModelFile.h"
#include "music/IntervalSpeller.h"

namespace pianola::compose {

// ids, as a model file keeps them (each piece behind a piece-start token) -> the pieces without it.
std::vector<std::span<const std::int64_t>> split_pieces(std::span<const std::int64_t> ids, std::int64_t piece_start);

class TrainingCopies {
public:
    // Indexes info.corpus_ids. Throws std::invalid_argument for a vocabulary without a piece start.
    explicit TrainingCopies(const model::ModelInfo& info);
    const eval::CopyIndex& index() const { return index_; }
    const music::IntervalSpeller& speller() const { return speller_; }
    // The longest run each held-out piece of the model shares with the training pieces, in tokens,
    // for the first held-out pieces up to model::held_out_sample_tokens; empty for a model file
    // written without its held-out pieces.
    std::vector<std::size_t> held_out_runs() const;

private:
    const model::ModelInfo* info_;
    music::IntervalSpeller speller_;
    eval::CopyIndex index_;
};

// The guard's limit when none is given: the median of what held-out pieces share by chance, so a
// composed piece copies no longer a run than a typical human piece of the corpus. Throws
// std::invalid_argument when there are no held-out runs to measure.
std::size_t default_copy_limit(std::vector<std::size_t> held_out_runs);

class CopyGuard {
public:
    CopyGuard(const TrainingCopies& copies, std::size_t limit);

    // logits: one per vocabulary id, -infinity where already forbidden. At the limit, sets to
    // -infinity each id that would extend the run, unless that would forbid every id.
    void forbid(std::span<float> logits);
    void push(std::int64_t id);
    std::size_t run() const { return run_.size(); }
    std::size_t longest() const { return longest_; }  // the longest run the piece shares with the training pieces
    int gave_way() const { return gave_way_; }

private:
    const TrainingCopies* copies_;
    std::size_t limit_;
    music::IntervalSpeller::State state_;
    std::vector<std::int32_t> run_;  // symbols of the run at the end of the piece found in the index
    eval::CopyIndex::Range range_;   // its occurrences
    std::vector<std::int32_t> followers_;
    std::vector<std::pair<std::size_t, float>> forbidden_;
    std::size_t longest_ = 0;
    int gave_way_ = 0;
};

}  // namespace pianola::compose
