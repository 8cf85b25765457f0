// RelativeAttention: causal multi-head self-attention with relative position logits, the Music
// Transformer's (Huang et al. 2018). Each head adds q_i . E_(i-j) to q_i . k_j, where E is one
// learned vector per distance, shared by the heads of the layer; positions are never absolute,
// so a motif scores alike wherever it recurs, and a generation cache can slide. Training computes
// Q E^T for all (query, distance) pairs and "skews" it into (query, key) order (the paper's
// memory-efficient form: no (T, T, K) tensor), by index inside one fused softmax
// (model/RelativeSoftmax), in two blocks of queries so that the first half of them never meets the
// second half of the keys. Generation attends one new position to a cache of keys and values.
// It is the attention sub-layer only: norms, residuals and the feed-forward are TransformerModel's.
//
// Shapes: B batch, T time, D width, A heads, K = D / A head size, C context (the distance table's
// length, the most positions attended), N positions in a generation cache (N <= C).
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pianola::model {

// One layer's generation buffers for B sequences.
struct AttentionCache {
    // The cached positions, oldest first, in the weights' type: keys (B, A, K, C) transposed, so that
    // a step scores all of them along rows (model/CachedAttention), values (B, A, C, K).
    torch::Tensor keys, values;
    torch::Tensor distance;          // the distance table transposed, (K, C)
    torch::Tensor qkv_weight;        // the query/key/value weight (3D, D) in model/StepProduct's form
    torch::Tensor out_weight;        // the output weight (D, D), the same
    torch::Tensor qkv, attended, out;  // (B, 3D), (B, D), (B, D)
};

class RelativeAttentionImpl : public torch::nn::Module {
public:
    // dim D, heads A (dividing D), context C.
    RelativeAttentionImpl(std::int64_t dim, std::int64_t heads, std::int64_t context);

    // x (B, T, D), T <= C -> (B, T, D): each position attends to itself and the positions before it.
    torch::Tensor forward(const torch::Tensor& x);

    // Buffers for B sequences, with the step's weights and cache in `weights` (float32, or bfloat16
    // to halve what a step reads).
    AttentionCache start(std::int64_t B, torch::ScalarType weights) const;
    // x (B, D): the newest position of each sequence, with N < C positions already in `cache`
    //   -> (B, D), a view into cache.out. The new position is cached at index N. No autograd.
    torch::Tensor step(const torch::Tensor& x, std::int64_t N, AttentionCache& cache) const;
    // Drops the oldest `drop` of N cached positions; the rest move to the front. Relative
    // positions make that exact for what stays: no position is renumbered in the model's eyes.
    static void forget(AttentionCache& cache, std::int64_t N, std::int64_t drop);

private:
    std::int64_t heads_, context_;
    torch::nn::Linear qkv_{nullptr}, out_{nullptr};
    torch::Tensor distance_;  // E: (C, K), row C - 1 - d for distance d
};
TORCH_MODULE(RelativeAttention);

}  // namespace pianola::model
