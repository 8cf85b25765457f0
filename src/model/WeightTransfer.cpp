#include "model/WeightTransfer.h"

#include <stdexcept>
#include <string>

namespace pianola::model {

std::vector<std::int64_t> old_ids(const music::Vocabulary& trained, const music::Vocabulary& extended) {
    std::vector<std::int64_t> old_id(extended.size(), -1);
    for (std::size_t id = 0; id < extended.size(); ++id) {
        const std::string& token = extended.token(static_cast<std::int64_t>(id));
        if (trained.contains(token)) old_id[id] = trained.id(token);
    }
    for (const std::string& token : trained.tokens())
        if (!extended.contains(token)) throw std::invalid_argument("the new vocabulary lacks the trained token " + token);
    return old_id;
}

void transfer_weights(const torch::nn::Module& from, torch::nn::Module& to, const std::vector<std::int64_t>& old_id) {
    torch::NoGradGuard no_grad;
    const auto V_new = static_cast<std::int64_t>(old_id.size());
    std::vector<std::int64_t> kept_new, kept_old;
    for (std::int64_t id = 0; id < V_new; ++id)
        if (old_id[static_cast<std::size_t>(id)] >= 0) {
            kept_new.push_back(id);
            kept_old.push_back(old_id[static_cast<std::size_t>(id)]);
        }
    const torch::Tensor new_rows = torch::tensor(kept_new, torch::kInt64), old_rows = torch::tensor(kept_old, torch::kInt64);
    const auto V_old = static_cast<std::int64_t>(kept_old.size());

    const auto trained = from.named_parameters();
    for (auto& item : to.named_parameters()) {
        const torch::Tensor* source = trained.find(item.key());
        if (!source) throw std::invalid_argument("the trained network has no tensor " + item.key());
        torch::Tensor& target = item.value();
        if (source->sizes() == target.sizes()) {
            target.copy_(*source);
            continue;
        }
        // Only the first dimension may differ, from V_old to V_new: a vocabulary-indexed tensor.
        if (source->dim() != target.dim() || source->size(0) != V_old || target.size(0) != V_new ||
            source->sizes().slice(1) != target.sizes().slice(1))
            throw std::invalid_argument("the trained network's " + item.key() + " has another shape");
        torch::Tensor rows = source->mean(0, /*keepdim=*/true).expand_as(target).clone();  // (V_new, ...)
        rows.index_copy_(0, new_rows, source->index_select(0, old_rows));
        target.copy_(rows);
    }
}

}  // namespace pianola::model
