// Lstm: a stack of LSTM layers, a drop-in for torch::nn::LSTM. Its parameters have the stock
// layer's names, shapes, order and initialization, so model files from either load into the other.
// `fused` (the default) runs model/LstmLayerFunction, about twice the speed of the stock layer in
// training; `fused = false` runs libtorch's own LSTM on the same parameters, for benchmarks and
// for the tests that hold the two to the same numbers; on a GPU the stock layer runs (cuDNN)
// whatever `fused` says. Dropout between layers is the stock layer's. step() advances B sequences
// by one token without allocating, for generation.
//
// Shapes: T time, B batch, I input size, H hidden size, L layers. Time-major: (T, B, .).
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include <torch/torch.h>

namespace pianola::model {

struct LstmOptions {
    std::int64_t input = 0;   // I
    std::int64_t hidden = 0;  // H
    std::int64_t layers = 1;  // L
    double dropout = 0;       // on every layer's output but the last, in training
    bool fused = true;
};

// (h, c), each (L, B, H).
using LstmState = std::tuple<torch::Tensor, torch::Tensor>;

// Buffers for step(): the state of B sequences, (L, B, H) each, updated in place; the gate
// pre-activations (B, 4H); per layer, [w_ih | w_hh] transposed, (I + H, 4H), and b_ih + b_hh (4H),
// made once so a step is one product per layer (model/StepProduct), and its input [x | h] (B, I + H).
struct LstmStepState {
    torch::Tensor h, c, gates;
    std::vector<torch::Tensor> weight, bias, input;
};

class LstmImpl : public torch::nn::Module {
public:
    explicit LstmImpl(const LstmOptions& options);

    // x (T, B, I), state: (L, B, H) pair, or undefined tensors for zeros
    //   -> y (T, B, H): the last layer's h at every step, and the state after the last step.
    std::tuple<torch::Tensor, LstmState> forward(const torch::Tensor& x, const LstmState& state = {});

    // Zero state for B sequences. The weights must not change while it is in use.
    LstmStepState start(std::int64_t B) const;
    // x (B, I) -> (B, H): the last layer's h after one more step, a view into `s`. Inference only:
    // call under torch::NoGradGuard. Products go through model/StepProduct.
    torch::Tensor step(const torch::Tensor& x, LstmStepState& s) const;

    const LstmOptions& options() const { return options_; }

private:
    LstmOptions options_;
    std::vector<torch::Tensor> w_ih_, w_hh_, b_ih_, b_hh_;  // per layer: (4H, I or H), (4H, H), (4H), (4H)
};
TORCH_MODULE(Lstm);

}  // namespace pianola::model
