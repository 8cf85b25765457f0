// TransformerModel: a decoder-only Music Transformer, the second next-token network beside the
// LSTM. Ids are embedded, L pre-norm blocks (relative-position self-attention, then a GELU
// feed-forward, each added to the residual stream) read them, and a final norm and a linear layer
// give the next token's logits at every position. Its window is C tokens in training and in
// generation; generation keeps each layer's keys and values (one new position per step, never the
// window re-run) and, past C positions, forgets the oldest half of them at once.
// Matrix products run in bfloat16 where the CPU has it (`bf16`, runtime/Bf16Products), with
// float32 weights, norms, softmax and logits. It carries no state from one chunk to the next.
//
// Shapes: B batch, T time (T <= C), D width, A heads, F feed-forward width, L layers, V vocabulary.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "model/NextTokenModel.h"
#include "model/RelativeAttention.h"

namespace pianola::model {

struct TransformerOptions {
    std::int64_t vocab = 0;        // V
    std::int64_t dim = 256;        // D
    std::int64_t layers = 4;       // L
    std::int64_t heads = 4;        // A
    std::int64_t ff = 1024;        // F
    std::int64_t context = 1024;   // C
    double dropout = 0.1;          // on the embeddings and on each sub-layer's output, in training
    bool bf16 = true;              // products in bfloat16 where the CPU has it (training, validation)
};

class TransformerBlockImpl : public torch::nn::Module {
public:
    explicit TransformerBlockImpl(const TransformerOptions& o);
    // x (B, T, D) -> (B, T, D)
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    RelativeAttention attention{nullptr};
    torch::nn::Linear ff1{nullptr}, ff2{nullptr};
    torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(TransformerBlock);

// Generation buffers for B sequences.
struct TransformerStepState : StepState {
    std::int64_t cached = 0;                  // N: positions in every layer's cache
    std::vector<AttentionCache> attention;    // per layer
    // In model/StepProduct's form (step_weight), bfloat16 where the model's products are (options.bf16).
    std::vector<torch::Tensor> ff1_weight, ff2_weight;  // per layer: of (F, D), (D, F)
    torch::Tensor out_weight;                           // of (V, D)
    torch::Tensor x, normed, hidden, ff_out, logits;    // (B, D), (B, D), (B, F), (B, D), (B, V)
};

class TransformerModelImpl : public NextTokenModelImpl {
public:
    explicit TransformerModelImpl(const TransformerOptions& options);

    // x (B, T) int64 ids, T <= C; the state is ignored and comes back undefined -> logits (B, T, V) float32.
    std::tuple<torch::Tensor, CarriedState> forward(const torch::Tensor& x, const CarriedState& state = {}) override;

    std::unique_ptr<StepState> start(std::int64_t B) const override;
    // ids (B) -> logits (B, V), a view into `s`. Float32 throughout. Inference only.
    torch::Tensor step(const torch::Tensor& ids, StepState& s) const override;
    void copy_state(const StepState& from, StepState& to) const override;  // the cached keys and values

    std::int64_t vocab() const override { return options_.vocab; }
    std::int64_t context() const override { return options_.context; }
    int training_threads() const override;
    const TransformerOptions& options() const { return options_; }

private:
    TransformerOptions options_;
    torch::nn::Embedding embed_{nullptr};
    torch::nn::Dropout drop_{nullptr};
    std::vector<TransformerBlock> blocks_;
    torch::nn::LayerNorm norm_{nullptr};
    torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(TransformerModel);

}  // namespace pianola::model
