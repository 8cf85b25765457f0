#include "compose/CopyGuard.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace pianola::compose {

std::vector<std::span<const std::int64_t>> split_pieces(std::span<const std::int64_t> ids, std::int64_t piece_start) {
    std::vector<std::span<const std::int64_t>> pieces;
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= ids.size(); ++i) {
        if (i < ids.size() && ids[i] != piece_start) continue;
        if (i > begin) pieces.push_back(ids.subspan(begin, i - begin));
        begin = i + 1;
    }
    return pieces;
}

namespace {

std::int64_t piece_start_id(const model::ModelInfo& info) {
    if (!info.vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    return info.vocabulary.id(music::piece_start_token);
}

std::vector<std::vector<std::int32_t>> spelled_pieces(const music::IntervalSpeller& speller, const model::ModelInfo& info,
                                                       std::span<const std::int64_t> ids) {
    std::vector<std::vector<std::int32_t>> pieces;
    for (const auto piece : split_pieces(ids, piece_start_id(info))) pieces.push_back(speller.spell(piece));
    return pieces;
}

}  // namespace

TrainingCopies::TrainingCopies(const model::ModelInfo& info)
    : info_(&info), speller_(info.tokenizer, info.vocabulary), index_(spelled_pieces(speller_, info, info.corpus_ids)) {}

std::vector<std::size_t> TrainingCopies::held_out_runs() const {
    std::vector<std::size_t> runs;
    std::int64_t tokens = 0;
    for (const auto piece : split_pieces(info_->held_out_ids, piece_start_id(*info_))) {
        tokens += static_cast<std::int64_t>(piece.size());
        if (model::held_out_sample_ends(runs.size(), tokens)) break;
        runs.push_back(index_.longest_shared_run(speller_.spell(piece)));
    }
    return runs;
}

std::size_t default_copy_limit(std::vector<std::size_t> held_out_runs) {
    if (held_out_runs.empty())
        throw std::invalid_argument("the model file holds no held-out pieces to set the copy limit from (written by an "
                                    "older pianola): give --max-copy");
    const auto middle = held_out_runs.begin() + static_cast<std::ptrdiff_t>(held_out_runs.size() / 2);
    std::nth_element(held_out_runs.begin(), middle, held_out_runs.end());
    return *middle;
}

CopyGuard::CopyGuard(const TrainingCopies& copies, std::size_t limit)
    : copies_(&copies), limit_(limit), range_(copies.index().everything()) {
    if (limit < 1) throw std::invalid_argument("the copy limit must be at least 1 token");
}

void CopyGuard::forbid(std::span<float> logits) {
    if (run_.size() < limit_) return;
    // A run past the limit (a primer's, or one the guard gave way to) must not grow either: what
    // may not follow is what follows its last `limit` tokens.
    const auto tail = std::span<const std::int32_t>(run_).last(limit_);
    copies_->index().followers(run_.size() == limit_ ? range_ : copies_->index().find(tail), followers_);
    forbidden_.clear();
    bool open = false;
    for (std::size_t id = 0; id < logits.size(); ++id) {
        if (logits[id] == -std::numeric_limits<float>::infinity()) continue;
        if (std::binary_search(followers_.begin(), followers_.end(), copies_->speller().symbol(static_cast<std::int64_t>(id), state_))) {
            forbidden_.emplace_back(id, logits[id]);
            logits[id] = -std::numeric_limits<float>::infinity();
        } else {
            open = true;
        }
    }
    if (open || forbidden_.empty()) return;
    for (const auto& [id, logit] : forbidden_) logits[id] = logit;
    ++gave_way_;
}

void CopyGuard::push(std::int64_t id) {
    const eval::CopyIndex& index = copies_->index();
    const std::int32_t symbol = copies_->speller().symbol(id, state_);
    state_ = copies_->speller().after(id, state_);
    // The longest run ending here is the longest run ending one token earlier that, shortened from
    // the front as needed, still occurs followed by this token.
    eval::CopyIndex::Range longer = index.extend(range_, symbol);
    while (longer.empty() && !run_.empty()) {
        run_.erase(run_.begin());
        range_ = index.find(run_);
        longer = index.extend(range_, symbol);
    }
    if (longer.empty()) {
        range_ = index.everything();
    } else {
        run_.push_back(symbol);
        range_ = longer;
    }
    longest_ = std::max(longest_, run_.size());
}

}  // namespace pianola::compose
