#include "train/GradientReducer.h"

#include <stdexcept>

namespace pianola::train {

GradientReducer::GradientReducer(DataParallel& group, std::vector<torch::Tensor> parameters, std::int64_t bucket_bytes)
    : group_(group), parameters_(std::move(parameters)), slots_(parameters_.size()) {
    std::int64_t floats = 0;  // in the bucket being filled
    const auto close_bucket = [&] {
        if (buckets_.empty()) return;
        buckets_.back().flat = torch::empty({floats}, torch::kFloat32);
        buckets_.back().waiting = buckets_.back().members.size();
    };
    for (std::size_t i = parameters_.size(); i-- > 0;) {
        const torch::Tensor& p = parameters_[i];
        if (p.scalar_type() != torch::kFloat32) throw std::invalid_argument("GradientReducer: parameters must be float32");
        if (buckets_.empty() || (floats > 0 && static_cast<std::int64_t>((floats + p.numel()) * sizeof(float)) > bucket_bytes)) {
            close_bucket();
            buckets_.emplace_back();
            floats = 0;
        }
        slots_[i] = {buckets_.size() - 1, floats, false};
        buckets_.back().members.push_back(i);
        floats += p.numel();
    }
    close_bucket();
    // A leaf's hook runs once per backward pass, with its whole gradient, before it is accumulated.
    for (std::size_t i = 0; i < parameters_.size(); ++i)
        hooks_.push_back(parameters_[i].register_hook([this, i](const torch::Tensor& grad) { gradient_in(i, grad); }));
}

GradientReducer::~GradientReducer() {
    for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].remove_hook(hooks_[i]);
}

void GradientReducer::gradient_in(std::size_t parameter, const torch::Tensor& grad) {
    if (!grad.defined()) return;  // not reached after all: a zero gradient when the pass ends
    torch::NoGradGuard no_grad;
    Slot& slot = slots_[parameter];
    Bucket& bucket = buckets_[slot.bucket];
    bucket.flat.narrow(0, slot.offset, grad.numel()).copy_(grad.reshape(-1));
    if (!slot.in) {
        slot.in = true;
        --bucket.waiting;
    }
    start_full_buckets();
}

void GradientReducer::start_full_buckets() {
    while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].waiting == 0) {
        group_.start_sum(buckets_[next_bucket_].flat);
        ++next_bucket_;
    }
}

void GradientReducer::average() {
    torch::NoGradGuard no_grad;
    started_early_ = next_bucket_;
    for (Bucket& bucket : buckets_)
        for (std::size_t i : bucket.members)
            if (!slots_[i].in) {
                // Every process sends every bucket whole: a parameter this pass did not reach, as zeros.
                bucket.flat.narrow(0, slots_[i].offset, parameters_[i].numel()).zero_();
                slots_[i].in = true;
                --bucket.waiting;
            }
    start_full_buckets();
    group_.wait_for_sums();
    for (Bucket& bucket : buckets_) {
        bucket.flat.div_(group_.size());
        for (std::size_t i : bucket.members) {
            torch::Tensor& p = parameters_[i];
            const torch::Tensor mean = bucket.flat.narrow(0, slots_[i].offset, p.numel()).view_as(p);
            if (p.grad().defined())
                p.mutable_grad().copy_(mean);
            else
                p.mutable_grad() = mean.to(p.device(), /*non_blocking=*/false, /*copy=*/true);
            slots_[i].in = false;
        }
        bucket.waiting = bucket.members.size();
    }
    next_bucket_ = 0;
}

}  // namespace pianola::train
