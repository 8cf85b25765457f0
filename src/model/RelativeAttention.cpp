#include "model/RelativeAttention.h"

#include <cmath>

#include "model/CachedAttention.h"
#include "model/RelativeSoftmax.h"
#include "model/StepProduct.h"

namespace pianola::model {

RelativeAttentionImpl::RelativeAttentionImpl(std::int64_t dim, std::int64_t heads, std::int64_t context)
    : heads_(heads), context_(context) {
    TORCH_CHECK(dim % heads == 0, "the width ", dim, " is not a multiple of the heads ", heads);
    qkv_ = register_module("qkv", torch::nn::Linear(dim, 3 * dim));
    out_ = register_module("out", torch::nn::Linear(dim, dim));
    distance_ = register_parameter("distance", torch::randn({context, dim / heads}) * 0.02);
}

torch::Tensor RelativeAttentionImpl::forward(const torch::Tensor& x) {
    const std::int64_t B = x.size(0), T = x.size(1), D = x.size(2), A = heads_, K = D / A;
    TORCH_CHECK(T <= context_, "a sequence of ", T, " tokens is longer than the context of ", context_);
    // Contiguous once here rather than copied inside each product that reads them.
    const auto heads = [&](const torch::Tensor& t) { return t.view({B, T, A, K}).transpose(1, 2).contiguous(); };  // (B, A, T, K)
    const std::vector<torch::Tensor> qkv = qkv_->forward(x).chunk(3, -1);                          // 3 x (B, T, D)
    const torch::Tensor q = heads(qkv[0]), k = heads(qkv[1]), v = heads(qkv[2]);
    // Queries [from, from + R) against keys [0, W), W = from + R -> (B, A, R, K).
    const auto attend = [&](std::int64_t from, std::int64_t R) {
        const std::int64_t W = from + R;
        const torch::Tensor qb = q.narrow(2, from, R);
        const torch::Tensor rel = torch::matmul(qb, distance_.narrow(0, context_ - W, W).t());  // (B, A, R, W) by distance
        const torch::Tensor scores = torch::matmul(qb, k.narrow(2, 0, W).transpose(2, 3));     // (B, A, R, W)
        return torch::matmul(relative_softmax(scores, rel, 1.0 / std::sqrt(double(K))), v.narrow(2, 0, W));
    };
    // The first half of the queries sees only the first half of the keys: in two blocks the
    // products skip a quarter of the (T, T) square that the causal mask would throw away.
    const std::int64_t H = T / 2;
    const torch::Tensor y = H == 0 ? attend(0, T) : torch::cat({attend(0, H), attend(H, T - H)}, 2);  // (B, A, T, K)
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
