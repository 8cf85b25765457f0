// CachedAttention: the attention of one generation step in plain loops. Each sequence's newest
// position attends, head by head, to the keys and values cached for it, with the Music Transformer's
// relative distance logits (model/RelativeAttention). It replaces the dozen libtorch calls a layer
// took per step, whose dispatch and OpenBLAS's packing of one-row products cost more than the
// arithmetic. It neither projects queries, keys and values (model/StepProduct does) nor trains
// (RelativeAttention's forward does).
//
// Shapes: B batch, A heads, K head size, D = A K, C context (the cache's and the distance table's
// length), N the index at which this step's position is cached (N < C).
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pianola::model {

// qkv (B, 3D): this step's queries, keys and values, each (A, K) head-major; keys (B, A, K, C),
// transposed, and values (B, A, C, K), float32 or bfloat16: positions 0..N-1 hold earlier steps;
// distance (K, C): the distance table transposed, column C-1-d for distance d
//   -> y (B, D): softmax(q (k_j + e_(N-j)) / sqrt(K)) over j <= N, times the values. This step's key
//   and value are stored at position N first. All contiguous, float32 but the cache; no autograd.
void attend_cached(const torch::Tensor& qkv, std::int64_t N, torch::Tensor& keys, torch::Tensor& values,
                   const torch::Tensor& distance, torch::Tensor& y);

}  // namespace pianola::model
