// GradientReducer: averages a model's gradients over the processes of a DataParallel group while
// the backward pass is still running, as PyTorch's DDP reducer does (libtorch's C++ API has none).
// The parameters are laid, last first (about the order the backward pass reaches them), into
// flat buckets; each parameter's gradient hook copies its gradient into its bucket, and a bucket
// whose gradients are all in starts its all-reduce on Gloo's threads while the pass goes on to the
// layers below. Buckets start in one order on every process, as Gloo requires: a full bucket waits
// for those before it.
// It is not all of DDP: no search for unused parameters (one the pass did not reach counts as a
// zero gradient when the pass ends) and no accumulation over several backward passes (each
// parameter's gradient must be cleared before the pass, as optimizer.zero_grad() does).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "train/DataParallel.h"

namespace pianola::train {

class GradientReducer {
public:
    // Registers a gradient hook on each parameter (float32, as the models here train) and lays
    // them into buckets of at most `bucket_bytes` (or one parameter); the destructor removes the hooks.
    GradientReducer(DataParallel& group, std::vector<torch::Tensor> parameters, std::int64_t bucket_bytes);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    // After loss.backward(): starts the buckets the pass left unstarted, waits for all, and sets
    // each parameter's gradient to its mean over the processes.
    void average();

    std::size_t buckets() const { return buckets_.size(); }
    // How many buckets of the last step started during its backward pass, before average().
    std::size_t started_early() const { return started_early_; }

private:
    struct Bucket {
        torch::Tensor flat;                // (n) the gradients of its parameters, end to end
        std::vector<std::size_t> members;  // indices into parameters_
        std::size_t waiting = 0;           // members whose gradient has not come this step
    };
    struct Slot {
        std::size_t bucket = 0;
        std::int64_t offset = 0;  // into the bucket's flat
        bool in = false;          // its gradient came this step
    };
    void gradient_in(std::size_t parameter, const torch::Tensor& grad);
    void start_full_buckets();

    DataParallel& group_;
    std::vector<torch::Tensor> parameters_;
    std::vector<unsigned> hooks_;
    std::vector<Slot> slots_;
    std::vector<Bucket> buckets_;
    std::size_t next_bucket_ = 0;  // the first bucket not started this step
    std::size_t started_early_ = 0;
};

}  // namespace pianola::train
