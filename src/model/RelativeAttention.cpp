#include "model/RelativeAttention.h"

#include <cmath>
#include <limits>

#include "model/CachedAttention.h"
#include "model/StepProduct.h"

namespace pianola::model {

RelativeAttentionImpl::RelativeAttentionImpl(std::int64_t dim, std::int64_t heads, std::int64_t context)
    : heads_(heads), context_(context) {
    TORCH_CHECK(dim % heads == 0, "the width ", dim, " is not a multiple of the heads ", heads);
    qkv_ = register_module("qkv", torch::nn::Linear(dim, 3 * dim));
    out_ = register_module("out", torch::nn::Linear(dim, dim));
    distance_ = register_parameter("distance", torch::randn({context, dim / heads}) * 0.02);
}

// rel (B, A, T, T): column m holds distance T - 1 - m -> (B, A, T, T): column j holds key j, i.e.
// distance i - j for row i (j <= i; the rest is garbage that the causal mask covers).
static torch::Tensor skew(const torch::Tensor& rel) {
    const std::int64_t B = rel.size(0), A = rel.size(1), T = rel.size(2);
    return torch::constant_pad_nd(rel, {1, 0}).view({B, A, T + 1, T}).narrow(2, 1, T);
}

torch::Tensor RelativeAttentionImpl::forward(const torch::Tensor& x) {
    const std::int64_t B = x.size(0), T = x.size(1), D = x.size(2), A = heads_, K = D / A;
    TORCH_CHECK(T <= context_, "a sequence of ", T, " tokens is longer than the context of ", context_);
    const auto heads = [&](const torch::Tensor& t) { return t.view({B, T, A, K}).transpose(1, 2); };  // (B, A, T, K)
    const std::vector<torch::Tensor> qkv = qkv_->forward(x).chunk(3, -1);                          // 3 x (B, T, D)
    const torch::Tensor q = heads(qkv[0]), k = heads(qkv[1]), v = heads(qkv[2]);
    const torch::Tensor rel = skew(torch::matmul(q, distance_.narrow(0, context_ - T, T).t()));    // (B, A, T, T)
    // Scores go back to float32 for the softmax when the products ran in bfloat16.
    torch::Tensor scores = (torch::matmul(q, k.transpose(2, 3)) + rel).to(torch::kFloat32) * (1.0 / std::sqrt(double(K)));
    scores.masked_fill_(torch::ones({T, T}, torch::kBool).triu(1), -std::numeric_limits<float>::infinity());
    const torch::Tensor y = torch::matmul(scores.softmax(-1), v);                                   // (B, A, T, K)
    return out_->forward(y.transpose(1, 2).reshape({B, T, D}));
}

AttentionCache RelativeAttentionImpl::start(std::int64_t B, torch::ScalarType weights) const {
    const std::int64_t D = qkv_->weight.size(1), K = D / heads_;
    const auto cache = torch::TensorOptions().dtype(weights);
    return {torch::zeros({B, heads_, K, context_}, cache), torch::zeros({B, heads_, context_, K}, cache),
            distance_.t().contiguous().detach(),
            step_weight(qkv_->weight, weights), step_weight(out_->weight, weights),
            torch::empty({B, 3 * D}), torch::empty({B, D}), torch::empty({B, D})};
}

torch::Tensor RelativeAttentionImpl::step(const torch::Tensor& x, std::int64_t N, AttentionCache& c) const {
    step_product(x, c.qkv_weight, qkv_->bias, c.qkv);
    attend_cached(c.qkv, N, c.keys, c.values, c.distance, c.attended);
    step_product(c.attended, c.out_weight, out_->bias, c.out);
    return c.out;
}

void RelativeAttentionImpl::forget(AttentionCache& c, std::int64_t N, std::int64_t drop) {
    // The kept positions overlap where they go when drop < N / 2: copy through a temporary.
    for (auto [t, positions] : {std::pair{&c.keys, 3}, std::pair{&c.values, 2}})
        t->narrow(positions, 0, N - drop).copy_(t->narrow(positions, drop, N - drop).clone());
}

}  // namespace pianola::model
