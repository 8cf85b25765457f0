// SeedModel: the original design's network, layer for layer.
// Each of the T input steps is one scalar, token id / V. Three stacked LSTMs read the window and
// only the last step's output is used: BatchNorm, Dropout, Dense(256)+ReLU, BatchNorm, Dropout,
// Dense(V). It returns logits; softmax lives in the loss (training) and argmax (generation).
// Keras' recurrent_dropout has no libtorch counterpart and is left out (as in the PyTorch peer).
//
// Shapes: B batch, T window length, H LSTM hidden size, D dense size, V vocabulary.
#pragma once

#include <cstdint>

#include <torch/torch.h>

#include "model/Lstm.h"

namespace pianola::model {

struct SeedModelOptions {
    std::int64_t vocab = 0;     // V
    std::int64_t layers = 3;
    std::int64_t hidden = 512;  // H
    std::int64_t dense = 256;   // D
    double dropout = 0.3;
    bool fused_lstm = true;     // false: libtorch's stock LSTM on the same weights (benchmarks, tests)
};

class SeedModelImpl : public torch::nn::Module {
public:
    explicit SeedModelImpl(const SeedModelOptions& options);

    // x: (B, T) token ids already scaled to id / V  ->  logits (B, V) for the token after the window.
    torch::Tensor forward(const torch::Tensor& x);

    const SeedModelOptions& options() const { return options_; }

private:
    SeedModelOptions options_;
    Lstm lstm_{nullptr};
    torch::nn::BatchNorm1d norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Dropout drop1_{nullptr}, drop2_{nullptr};
    torch::nn::Linear dense_{nullptr}, out_{nullptr};
};
TORCH_MODULE(SeedModel);

}  // namespace pianola::model
