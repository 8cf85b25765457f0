#include "model/LmModel.h"

#include "model/StepProduct.h"

namespace pianola::model {

LmModelImpl::LmModelImpl(const LmModelOptions& options) : options_(options) {
    embed_ = register_module("embed", torch::nn::Embedding(options.vocab, options.embed));
    lstm_ = register_module("lstm", Lstm(LstmOptions{options.embed, options.hidden, options.layers,
                                                      options.layers > 1 ? options.dropout : 0.0, options.fused_lstm}));
    drop_ = register_module("drop", torch::nn::Dropout(options.output_dropout));
    out_ = register_module("out", torch::nn::Linear(options.hidden, options.vocab));
}

std::tuple<torch::Tensor, CarriedState> LmModelImpl::forward(const torch::Tensor& x, const CarriedState& state) {
    const torch::Tensor e = embed_->forward(x.t());                   // (T, B, E): the LSTM is time-major
    auto [y, next] = lstm_->forward(e, state);                        // (T, B, H)
    return {out_->forward(drop_->forward(y.transpose(0, 1))), next};  // (B, T, V)
}

std::unique_ptr<StepState> LmModelImpl::start(std::int64_t B) const {
    auto s = std::make_unique<LmStepState>();
    s->lstm = lstm_->start(B);
    s->embedded = torch::empty({B, options_.embed});
    s->logits = torch::empty({B, options_.vocab});
    s->out_weight = out_->weight.t().contiguous().detach();
    return s;
}

torch::Tensor LmModelImpl::step(const torch::Tensor& ids, StepState& state) const {
    auto& s = dynamic_cast<LmStepState&>(state);
    torch::index_select_out(s.embedded, embed_->weight, 0, ids);
    const torch::Tensor h = lstm_->step(s.embedded, s.lstm);  // (B, H)
    step_product(h, s.out_weight, out_->bias, s.logits);
    return s.logits;
}

void LmModelImpl::copy_state(const StepState& from, StepState& to) const {
    const auto& f = dynamic_cast<const LmStepState&>(from);
    auto& t = dynamic_cast<LmStepState&>(to);
    t.lstm.h.copy_(f.lstm.h);
    t.lstm.c.copy_(f.lstm.c);
}

}  // namespace pianola::model
