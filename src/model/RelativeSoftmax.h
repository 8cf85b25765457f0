// RelativeSoftmax: the attention weights of model/RelativeAttention in training, as one autograd
// function. It adds each query's relative distance logits to its key scores, skewing them into key
// order by index (the Music Transformer's skew without the pad and reshape), scales, masks the future
// and takes the softmax of each row in one pass; its backward is one pass too. Composed of libtorch
// calls this was about fifteen passes over (B, A, T, T) tensors of 16-32 MB each (the pad, the add,
// the casts to and from float32, the scale, the mask and their backwards), most of what the
// Transformer's training spent outside its matrix products. It does not compute the products
// around it (q k^T, q E^T, the weights times v: libtorch's, in bfloat16 where the model trains so).
//
// Shapes: B batch, A heads, T time (queries and keys).
#pragma once

#include <torch/torch.h>

namespace pianola::model {

// qk (B, A, T, T): query i's score of key j; rel (B, A, T, T): query i's score of each distance,
// column m holding distance T - 1 - m; both float32 or both bfloat16
//   -> (B, A, T, T) in the same type: row i the softmax over keys j <= i of
//      (qk[i][j] + rel[i][T - 1 - i + j]) * scale, and 0 for j > i. Differentiable in qk and rel.
torch::Tensor relative_softmax(const torch::Tensor& qk, const torch::Tensor& rel, double scale);

}  // namespace pianola::model
