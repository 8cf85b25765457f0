// StepProduct: y = bias + x W for the few rows of one generation step, where a BLAS product is the
// wrong tool: at B = 16 OpenBLAS spends as long packing W (copying all of it, every call) as
// multiplying, and W is the whole cost of a step. Here W is kept transposed, (K, N), so the kernel
// runs along the outputs: each vector of W, once loaded, is multiplied from registers with 4 pieces'
// inputs, and no sum across vector lanes is ever needed. Both cores take half of the outputs.
// W may be bfloat16 (the Transformer's step weights), widened to float32 in registers: half the
// bytes to read, and reading W is the step. One row with float32 W goes to BLAS's matrix-vector
// product, which streams W once as fast as memory allows.
// It is for inference only (no gradient); training multiplies with BLAS (LstmLayerFunction).
//
// Shapes: B rows of x (a batch of pieces), K inputs, N outputs. Row-major, contiguous.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pianola::model {

// x (B, K), wt (K, N): a layer's weight transposed once by the caller, float32 or bfloat16, bias (N)
//   -> y (B, N) = bias + x wt, into y. All contiguous, float32 but wt, on the CPU; y must not overlap x.
// No autograd: call under torch::NoGradGuard.
void step_product(const torch::Tensor& x, const torch::Tensor& wt, const torch::Tensor& bias, torch::Tensor& y);

}  // namespace pianola::model
