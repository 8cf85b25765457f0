// LstmLayerFunction: one LSTM layer over a whole sequence as a custom autograd function, forward and
// backward side by side. It exists for speed: libtorch's stock LSTM records ~15 small operations
// per step and layer and, in backward, accumulates the weight gradients one step at a time as
// products with K = B. Here the sequence's input projection is one product, each step is one
// recurrent product into a preallocated buffer plus one fused pass (model/LstmCell), and backward
// computes the weight gradients of the whole sequence as single products with K = T * B.
// It is one layer without dropout; model/Lstm stacks layers and applies dropout between them.
//
// Shapes: T time, B batch, I input size, H hidden size; time-major, so one step is contiguous.
// float32 on the CPU only (LstmCell's kernels are CPU loops).
#pragma once

#include <torch/torch.h>

namespace pianola::model {

struct LstmLayerFunction : public torch::autograd::Function<LstmLayerFunction> {
    // x (T, B, I), h0 (B, H), c0 (B, H), w_ih (4H, I), w_hh (4H, H), b_ih (4H), b_hh (4H)
    //   -> {y (T, B, H): h at every step, h_T (B, H), c_T (B, H)}
    static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::Tensor x,
                                                  torch::Tensor h0, torch::Tensor c0, torch::Tensor w_ih,
                                                  torch::Tensor w_hh, torch::Tensor b_ih, torch::Tensor b_hh);

    // {dy (T, B, H), dh_T (B, H), dc_T (B, H)} -> gradients of the seven inputs, in their order.
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads);
};

}  // namespace pianola::model
