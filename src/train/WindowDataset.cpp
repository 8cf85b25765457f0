#include "train/WindowDataset.h"

#include <stdexcept>
#include <string>

namespace pianola::train {

WindowDataset::WindowDataset(const std::vector<std::int64_t>& ids, std::int64_t window, std::int64_t vocab)
    : ids_(torch::tensor(ids, torch::kInt64)), offsets_(torch::arange(window, torch::kInt64)),
      window_(window), vocab_(vocab) {
    if (static_cast<std::int64_t>(ids.size()) <= window)
        throw std::invalid_argument("the corpus has " + std::to_string(ids.size()) +
                                    " tokens; a window of " + std::to_string(window) +
                                    " needs at least " + std::to_string(window + 1));
}

WindowBatch WindowDataset::batch(const torch::Tensor& starts) const {
    const torch::Tensor positions = starts.unsqueeze(1) + offsets_;                  // (B, T)
    torch::Tensor inputs = ids_.index({positions}).to(torch::kFloat32) / static_cast<double>(vocab_);
    torch::Tensor targets = ids_.index({starts + window_});                          // (B)
    return {inputs, targets};
}

}  // namespace pianola::train
