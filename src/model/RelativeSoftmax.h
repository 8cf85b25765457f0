// RelativeSoftmax: the attention weights of model/RelativeAttention in training, as one autograd
// function. It adds each query's relative distance logits to its key scores, skewing them into key
// order by index (the Music Transformer's skew without the pad and reshape), scales, masks the future
// and takes the softmax of each row in one pass; its backward is one pass too. Composed of libtorch
// calls this was about fifteen passes over (B, A, T, T) tensors of 16-32 MB each (the pad, the add,
// the casts to and from float32, the scale, the mask and their backwards), most of what the
// Transformer's training spent outside its matrix products. It does not compute the products
// around it (q k^T, q E^T, the weights times v: libtorch's, in bfloat16 where the model trains so).
//
// Shapes: B batch, A heads, T keys (time), R <= T queries: the last R positions.
#pragma once

#include <torch/torch.h>

namespace pianola::model {

// qk (B, A, R, T): the scores of the last R of T query positions (row r: position T - R + r) for
// each of the T keys; rel (B, A, R, T): each query's score of each distance, column m holding
// distance T - 1 - m; both float32 or both bfloat16
//   -> (B, A, R, T) in the same type: for the query at position i, the softmax over keys j <= i of
//      (qk[j] + rel[T - 1 - i + j]) * scale, and 0 for j > i. Differentiable in qk and rel.
//   The fused loops run on the CPU; tensors elsewhere (a GPU's) take relative_softmax_composed.
torch::Tensor relative_softmax(const torch::Tensor& qk, const torch::Tensor& rel, double scale);

// The same by libtorch's operators on any device: the skew as a gather of rel by distance, the sum,
// the scale, the mask and the softmax in float32, several passes over (B, A, R, T) where the fused
// function makes one. Same shapes and types as relative_softmax.
torch::Tensor relative_softmax_composed(const torch::Tensor& qk, const torch::Tensor& rel, double scale);

}  // namespace pianola::model
