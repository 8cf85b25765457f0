// LmModel: the default network, a next-token language model. Token ids are embedded (not scaled
// to one scalar as in the seed design), stacked LSTMs read them, and a linear layer predicts the
// next token at every position, so a sequence of T tokens trains on T targets at once.
// The recurrent state is an argument and a result: training carries it across consecutive chunks
// of the same stream, generation carries it from one token to the next.
// It is not the seed design (model/SeedModel is) and holds no sampling logic (compose/ does).
//
// Shapes: B batch, T time, E embedding size, H LSTM hidden size, L layers, V vocabulary.
#pragma once

#include <cstdint>
#include <tuple>

#include <torch/torch.h>

#include "model/Lstm.h"
#include "model/NextTokenModel.h"

namespace pianola::model {

struct LmModelOptions {
    std::int64_t vocab = 0;     // V
    std::int64_t embed = 64;    // E
    std::int64_t layers = 2;    // L
    std::int64_t hidden = 256;  // H
    double dropout = 0.3;         // between LSTM layers, as torch::nn::LSTM applies it
    double output_dropout = 0.3;  // on the last LSTM layer's output, before the output layer
    bool fused_lstm = true;       // false: libtorch's stock LSTM on the same weights (benchmarks, tests)
};

// Generation buffers for B sequences (model/Lstm's step state, the embedded tokens (B, E), the
// logits (B, V)) and the output weight as the step kernel reads it, made once by start() so that
// step() allocates nothing.
struct LmStepState : StepState {
    LstmStepState lstm;
    torch::Tensor embedded, logits;
    torch::Tensor out_weight;  // the output layer's weight transposed, (H, V), for model/StepProduct
};

class LmModelImpl : public NextTokenModelImpl {
public:
    explicit LmModelImpl(const LmModelOptions& options);

    // x: (B, T) int64 ids, state: (L, B, H) pair or undefined tensors for zeros
    //   -> logits (B, T, V) and the state after the last step.
    std::tuple<torch::Tensor, CarriedState> forward(const torch::Tensor& x, const CarriedState& state = {}) override;

    // Zero state for B sequences (an LmStepState), for step().
    std::unique_ptr<StepState> start(std::int64_t B) const override;
    // ids (B) int64 -> logits (B, V) for the token after each, a view into `s` valid until the next
    // step. Inference only (under torch::NoGradGuard, in eval mode).
    torch::Tensor step(const torch::Tensor& ids, StepState& s) const override;
    void copy_state(const StepState& from, StepState& to) const override;  // (h, c)

    std::int64_t vocab() const override { return options_.vocab; }
    std::int64_t context() const override { return 0; }
    int training_threads() const override { return 1; }
    const LmModelOptions& options() const { return options_; }

private:
    LmModelOptions options_;
    torch::nn::Embedding embed_{nullptr};
    Lstm lstm_{nullptr};
    torch::nn::Dropout drop_{nullptr};
    torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(LmModel);

}  // namespace pianola::model
