// StepProduct: y = bias + x W^T for the few rows of one generation step, where a BLAS product is
// the wrong tool: at B = 16 OpenBLAS spends as long packing W (copying all of it, every call) as
// multiplying, and W is the whole cost of a step. Here each group of 4 rows of W is read once from
// memory and multiplied, from registers, with every row of x; both cores take half of W's rows.
// It is for inference only (no gradient) and for small B; training uses BLAS (LstmLayerFunction).
//
// Shapes: B rows of x (a batch of pieces), K inputs, N outputs. Row-major float32, contiguous.
#pragma once

#include <cstdint>

#include <torch/torch.h>

namespace pianola::model {

// Rows up to which step_product runs its own kernel; above it, where B starts to amortize the
// packing, it calls BLAS (addmm). Chosen with `pianola bench generate --count`.
inline constexpr std::int64_t step_product_max_rows = 32;

// x (B, K), w (N, K), bias (N) -> y (B, N) = bias + x w^T, into y. All contiguous float32 on the
// CPU; y must not overlap x. No autograd: call under torch::NoGradGuard.
void step_product(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias, torch::Tensor& y);

}  // namespace pianola::model
