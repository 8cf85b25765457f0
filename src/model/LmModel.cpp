#include "model/LmModel.h"

namespace pianola::model {

LmModelImpl::LmModelImpl(const LmModelOptions& options) : options_(options) {
    embed_ = register_module("embed", torch::nn::Embedding(options.vocab, options.embed));
    lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(options.embed, options.hidden)
                                                        .num_layers(options.layers)
                                                        .dropout(options.layers > 1 ? options.dropout : 0.0)
                                                        .batch_first(true)));
    drop_ = register_module("drop", torch::nn::Dropout(options.output_dropout));
    out_ = register_module("out", torch::nn::Linear(options.hidden, options.vocab));
}

std::tuple<torch::Tensor, LstmState> LmModelImpl::forward(const torch::Tensor& x, const LstmState& state) {
    const torch::Tensor e = embed_->forward(x);                                                     // (B, T, E)
    auto [y, next] = std::get<0>(state).defined() ? lstm_->forward(e, state) : lstm_->forward(e);  // (B, T, H)
    return {out_->forward(drop_->forward(y)), next};                                                // (B, T, V)
}

}  // namespace pianola::model
