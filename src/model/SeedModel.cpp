#include "model/SeedModel.h"

namespace pianola::model {

// Keras' BatchNormalization defaults (momentum 0.99 on the running mean, epsilon 1e-3),
// so the seed preset normalizes the way the original did.
static torch::nn::BatchNorm1dOptions keras_batch_norm(std::int64_t features) {
    return torch::nn::BatchNorm1dOptions(features).momentum(0.01).eps(1e-3);
}

SeedModelImpl::SeedModelImpl(const SeedModelOptions& options) : options_(options) {
    lstm_ = register_module("lstm", Lstm(LstmOptions{1, options.hidden, options.layers, 0.0, options.fused_lstm}));
    norm1_ = register_module("norm1", torch::nn::BatchNorm1d(keras_batch_norm(options.hidden)));
    drop1_ = register_module("drop1", torch::nn::Dropout(options.dropout));
    dense_ = register_module("dense", torch::nn::Linear(options.hidden, options.dense));
    norm2_ = register_module("norm2", torch::nn::BatchNorm1d(keras_batch_norm(options.dense)));
    drop2_ = register_module("drop2", torch::nn::Dropout(options.dropout));
    out_ = register_module("out", torch::nn::Linear(options.dense, options.vocab));
}

torch::Tensor SeedModelImpl::forward(const torch::Tensor& x) {
    auto [sequence, state] = lstm_->forward(x.t().unsqueeze(-1));  // (T, B, 1) -> (T, B, H)
    auto h = sequence[sequence.size(0) - 1];                        // (B, H): the window's last step
    h = drop1_->forward(norm1_->forward(h));
    h = torch::relu(dense_->forward(h));                        // (B, D)
    h = drop2_->forward(norm2_->forward(h));
    return out_->forward(h);                                    // (B, V)
}

}  // namespace pianola::model
