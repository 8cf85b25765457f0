// NextTokenModel: what every next-token network is to the code that trains, validates, composes
// with and benchmarks it: ids in, logits for the next token at every position out, and a way to
// advance B sequences one token at a time for generation. The LSTM (model/LmModel) and the
// Transformer (model/TransformerModel) sit behind it, so the trainer, validation, the composer and
// the model file never ask which one they hold; they ask what it can do (`context`).
// It holds no training or sampling logic.
//
// Shapes: B batch, T time, V vocabulary.
#pragma once

#include <cstdint>
#include <memory>
#include <tuple>

#include <torch/torch.h>

namespace pianola::model {

// What a network carries from one chunk of a stream to the next: a recurrent network's (h, c),
// each (L, B, H); undefined tensors for zeros, and for a network that carries nothing.
using CarriedState = std::tuple<torch::Tensor, torch::Tensor>;

// A network's generation buffers for B sequences, made by start() so that step() allocates
// nothing (or little); each network keeps its own kind.
struct StepState {
    virtual ~StepState() = default;
};

class NextTokenModelImpl : public torch::nn::Module {
public:
    // x: (B, T) int64 ids, state: what the last call returned (or undefined tensors)
    //   -> logits (B, T, V) and the state after the last position.
    virtual std::tuple<torch::Tensor, CarriedState> forward(const torch::Tensor& x, const CarriedState& state = {}) = 0;

    // Empty buffers for B sequences, for step(). The weights must not change while they are in use.
    virtual std::unique_ptr<StepState> start(std::int64_t B) const = 0;
    // ids (B) int64 -> logits (B, V) for the token after each, a view into `s` valid until the next
    // step. Inference only (under torch::NoGradGuard, in eval mode).
    virtual torch::Tensor step(const torch::Tensor& ids, StepState& s) const = 0;
    // `to` takes `from`'s place in its sequences (both made by start() with the same B), so that
    // stepping either with the same ids gives the same logits: a sequence that branches.
    virtual void copy_state(const StepState& from, StepState& to) const = 0;

    virtual std::int64_t vocab() const = 0;
    // The most positions one prediction can see: 0 for a recurrent network, whose carried state
    // reaches back without limit; a Transformer's attention window otherwise. Validation reads
    // long pieces in overlapping windows of this length.
    virtual std::int64_t context() const = 0;
    // The threads libtorch's own pool should have while it trains: 1 where the products run on
    // OpenBLAS (the LSTM; a wider pool only steals its cores), every core where they run on the
    // pool itself (the Transformer's oneDNN products and attention).
    virtual int training_threads() const = 0;
};
using NextTokenModel = std::shared_ptr<NextTokenModelImpl>;

}  // namespace pianola::model
