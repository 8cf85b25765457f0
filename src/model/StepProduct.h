// StepProduct: y = bias + x W for the few rows of one generation step, where a BLAS product is the
// wrong tool: at B = 16 OpenBLAS spends as long packing W (copying all of it, every call) as
// multiplying, and W is the whole cost of a step. Here W is kept transposed, (K, N), so the kernel
// runs along the outputs: each vector of W, once loaded, is multiplied from registers with 4 pieces'
// inputs, and no sum across vector lanes is ever needed. Both cores take half of the outputs.
// W may be bfloat16 (the Transformer's step weights): half the bytes to read, and reading W is the
// step. Those are laid out by step_weight() in panels of 64 outputs, (K, 64) each, so that each
// core streams one contiguous run of memory, and widened to float32 in registers. One row with
// float32 W goes to BLAS's matrix-vector product, which streams W once as fast as memory allows.
// It is for inference only (no gradient); training multiplies with BLAS (LstmLayerFunction).
//
// Shapes: B rows of x (a batch of pieces), K inputs, N outputs. Row-major, contiguous.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pianola::model {

// weight (N, K), a layer's float32 weight as libtorch keeps it -> the form step_product takes:
// float32 (K, N), transposed; bfloat16 (P, K, 64), P = ceil(N / 64) panels, zero past N.
torch::Tensor step_weight(const torch::Tensor& weight, torch::ScalarType type);

// x (B, K), wt: step_weight()'s form of a weight (N, K) (float32 may also be any (K, N) the caller
// transposed), bias (N)
//   -> y (B, N) = bias + x W^T, into y. All contiguous, float32 but wt, on the CPU; y must not overlap x.
// No autograd: call under torch::NoGradGuard.
void step_product(const torch::Tensor& x, const torch::Tensor& wt, const torch::Tensor& bias, torch::Tensor& y);

}  // namespace pianola::model
