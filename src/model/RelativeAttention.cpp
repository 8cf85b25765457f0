#include "model/RelativeAttention.h"

#include <cmath>
#include <limits>

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

AttentionCache RelativeAttentionImpl::start(std::int64_t B) const {
    const std::int64_t D = qkv_->weight.size(1), K = D / heads_;
    return {torch::zeros({B, heads_, context_, K}), torch::zeros({B, heads_, context_, K}),
            qkv_->weight.t().contiguous().detach(), out_->weight.t().contiguous().detach(),
            torch::empty({B, 3 * D}), torch::empty({B, D})};
}

torch::Tensor RelativeAttentionImpl::step(const torch::Tensor& x, std::int64_t N, AttentionCache& c) const {
    const std::int64_t B = x.size(0), D = x.size(1), A = heads_, K = D / A;
    step_product(x, c.qkv_weight, qkv_->bias, c.qkv);
    const torch::Tensor q = c.qkv.narrow(1, 0, D).view({B, A, 1, K});
    c.keys.select(2, N).copy_(c.qkv.narrow(1, D, D).view({B, A, K}));
    c.values.select(2, N).copy_(c.qkv.narrow(1, 2 * D, D).view({B, A, K}));
    const torch::Tensor keys = c.keys.narrow(2, 0, N + 1), values = c.values.narrow(2, 0, N + 1);  // (B, A, N+1, K)
    // Key j is at distance N - j: rows C - 1 - N .. C - 1 of the table, in key order.
    const torch::Tensor scores = torch::matmul(q, keys.transpose(2, 3))                       // (B, A, 1, N+1)
                                     .add_(torch::matmul(q, distance_.narrow(0, context_ - 1 - N, N + 1).t()))
                                     .mul_(1.0 / std::sqrt(double(K)));
    const torch::Tensor y = torch::matmul(scores.softmax(-1), values).view({B, D});            // (B, D)
    step_product(y, c.out_weight, out_->bias, c.out);
    return c.out;
}

void RelativeAttentionImpl::forget(AttentionCache& c, std::int64_t N, std::int64_t drop) {
    // The kept positions overlap where they go when drop < N / 2: copy through a temporary.
    for (torch::Tensor* t : {&c.keys, &c.values})
        t->narrow(2, 0, N - drop).copy_(t->narrow(2, drop, N - drop).clone());
}

}  // namespace pianola::model
