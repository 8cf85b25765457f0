// WindowDataset: the original design's examples. Every stride-1 window of T tokens in the
// concatenated corpus is one example; its target is the token right after it. Inputs are fed
// as id / V, one scalar per step. Batches are gathered from one id tensor, never materialized
// as N copies of the corpus.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace pianola::train {

struct WindowBatch {
    torch::Tensor inputs;   // (B, T) float, id / V
    torch::Tensor targets;  // (B) int64
};

class WindowDataset {
public:
    // Throws std::invalid_argument when ids has no full window plus target.
    WindowDataset(const std::vector<std::int64_t>& ids, std::int64_t window, std::int64_t vocab);

    std::int64_t size() const { return ids_.size(0) - window_; }  // number of windows
    std::int64_t window() const { return window_; }

    // starts: (B) int64 window start positions -> the batch of those windows.
    WindowBatch batch(const torch::Tensor& starts) const;

private:
    torch::Tensor ids_;     // (N) int64
    torch::Tensor offsets_; // (T) 0..T-1
    std::int64_t window_;
    std::int64_t vocab_;
};

}  // namespace pianola::train
