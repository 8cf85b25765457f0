#include "model/TransformerModel.h"

#include <cmath>
#include <string>

#include "model/StepProduct.h"
#include "runtime/Bf16Products.h"
#include "runtime/Compute.h"

namespace pianola::model {

TransformerBlockImpl::TransformerBlockImpl(const TransformerOptions& o) {
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
    attention = register_module("attention", RelativeAttention(o.dim, o.heads, o.context));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.dim})));
    ff1 = register_module("ff1", torch::nn::Linear(o.dim, o.ff));
    ff2 = register_module("ff2", torch::nn::Linear(o.ff, o.dim));
    drop = register_module("drop", torch::nn::Dropout(o.dropout));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x) {
    const torch::Tensor h = x + drop->forward(attention->forward(norm1->forward(x)));
    return h + drop->forward(ff2->forward(torch::gelu(ff1->forward(norm2->forward(h)))));
}

TransformerModelImpl::TransformerModelImpl(const TransformerOptions& options) : options_(options) {
    embed_ = register_module("embed", torch::nn::Embedding(options.vocab, options.dim));
    drop_ = register_module("drop", torch::nn::Dropout(options.dropout));
    for (std::int64_t l = 0; l < options.layers; ++l)
        blocks_.push_back(register_module("block" + std::to_string(l), TransformerBlock(options)));
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim})));
    out_ = register_module("out", torch::nn::Linear(options.dim, options.vocab));
    // GPT-2's initialization: small weights, and the sub-layers that write into the residual stream
    // scaled down by the depth, so the stream's size does not grow with L at the start.
    torch::NoGradGuard no_grad;
    for (auto& p : named_parameters()) {
        if (p.key().find("norm") != std::string::npos || p.key().find("distance") != std::string::npos) continue;
        if (p.key().ends_with("bias")) p.value().zero_();
        else p.value().normal_(0, 0.02);
    }
    for (TransformerBlock& b : blocks_)
        for (torch::Tensor w : {b->attention->named_parameters()["out.weight"], b->ff2->weight})
            w.div_(std::sqrt(2.0 * static_cast<double>(options.layers)));
}

// 4x256, 8 x 512 tokens (`bench train`): 3,515 tokens/s with one thread in libtorch's pool, 4,879
// and 5,132 with two (oneDNN's bfloat16 square product: 201.5 against 361.1 GFLOP/s).
int TransformerModelImpl::training_threads() const { return compute_threads(); }

std::tuple<torch::Tensor, CarriedState> TransformerModelImpl::forward(const torch::Tensor& x, const CarriedState&) {
    const Bf16Products bf16(options_.bf16);
    torch::Tensor h = drop_->forward(embed_->forward(x));  // (B, T, D)
    for (TransformerBlock& b : blocks_) h = b->forward(h);
    return {out_->forward(norm_->forward(h)).to(torch::kFloat32), {}};
}

std::unique_ptr<StepState> TransformerModelImpl::start(std::int64_t B) const {
    // bfloat16 step weights halve the bytes a step reads, and reading them is most of its time.
    const torch::ScalarType weights = options_.bf16 ? torch::kBFloat16 : torch::kFloat32;
    auto s = std::make_unique<TransformerStepState>();
    for (const TransformerBlock& b : blocks_) {
        s->attention.push_back(b->attention->start(B, weights));
        s->ff1_weight.push_back(step_weight(b->ff1->weight, weights));
        s->ff2_weight.push_back(step_weight(b->ff2->weight, weights));
    }
    s->out_weight = step_weight(out_->weight, weights);
    s->x = torch::empty({B, options_.dim});
    s->normed = torch::empty({B, options_.dim});
    s->hidden = torch::empty({B, options_.ff});
    s->ff_out = torch::empty({B, options_.dim});
    s->logits = torch::empty({B, options_.vocab});
    return s;
}

// x (B, D) -> y (B, D): the norm of each row, in a plain loop (libtorch's layer_norm allocates
// three tensors per call) and as a free function, so that a const model can step.
static void norm_rows(const torch::nn::LayerNorm& n, const torch::Tensor& x, torch::Tensor& y) {
    const std::int64_t B = x.size(0), D = x.size(1);
    const float *xp = x.data_ptr<float>(), *g = n->weight.data_ptr<float>(), *beta = n->bias.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    const double eps = n->options.eps();
    for (std::int64_t b = 0; b < B; ++b) {
        const float* row = xp + b * D;
        double mean = 0, square = 0;
        for (std::int64_t i = 0; i < D; ++i) mean += row[i];
        mean /= static_cast<double>(D);
        for (std::int64_t i = 0; i < D; ++i) square += (row[i] - mean) * (row[i] - mean);
        const double scale = 1.0 / std::sqrt(square / static_cast<double>(D) + eps);
        for (std::int64_t i = 0; i < D; ++i)
            yp[b * D + i] = static_cast<float>((row[i] - mean) * scale) * g[i] + beta[i];
    }
}

torch::Tensor TransformerModelImpl::step(const torch::Tensor& ids, StepState& state) const {
    auto& s = dynamic_cast<TransformerStepState&>(state);
    if (s.cached == options_.context) {  // full: forget the oldest half at once, not one position per step
        const std::int64_t drop = options_.context / 2;
        for (AttentionCache& c : s.attention) RelativeAttentionImpl::forget(c, s.cached, drop);
        s.cached -= drop;
    }
    torch::index_select_out(s.x, embed_->weight, 0, ids);
    for (std::size_t l = 0; l < blocks_.size(); ++l) {
        const TransformerBlock& b = blocks_[l];
        norm_rows(b->norm1, s.x, s.normed);
        s.x.add_(b->attention->step(s.normed, s.cached, s.attention[l]));
        norm_rows(b->norm2, s.x, s.normed);
        step_product(s.normed, s.ff1_weight[l], b->ff1->bias, s.hidden);
        step_product(torch::gelu(s.hidden), s.ff2_weight[l], b->ff2->bias, s.ff_out);
        s.x.add_(s.ff_out);
    }
    ++s.cached;
    norm_rows(norm_, s.x, s.normed);
    step_product(s.normed, s.out_weight, out_->bias, s.logits);
    return s.logits;
}

void TransformerModelImpl::copy_state(const StepState& from, StepState& to) const {
    const auto& f = dynamic_cast<const TransformerStepState&>(from);
    auto& t = dynamic_cast<TransformerStepState&>(to);
    t.cached = f.cached;
    for (std::size_t l = 0; l < f.attention.size(); ++l) {
        t.attention[l].keys.copy_(f.attention[l].keys);
        t.attention[l].values.copy_(f.attention[l].values);
    }
}

}  // namespace pianola::model
