#include "model/Lstm.h"

#include <cmath>
#include <string>

#include "model/LstmCell.h"
#include "model/LstmLayerFunction.h"
#include "model/StepProduct.h"

namespace pianola::model {

LstmImpl::LstmImpl(const LstmOptions& options) : options_(options) {
    const std::int64_t H = options.hidden;
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));  // torch::nn::LSTM's initialization
    for (std::int64_t l = 0; l < options.layers; ++l) {
        const std::string n = std::to_string(l);
        const std::int64_t input = l == 0 ? options.input : H;
        w_ih_.push_back(register_parameter("weight_ih_l" + n, torch::empty({4 * H, input}).uniform_(-bound, bound)));
        w_hh_.push_back(register_parameter("weight_hh_l" + n, torch::empty({4 * H, H}).uniform_(-bound, bound)));
        b_ih_.push_back(register_parameter("bias_ih_l" + n, torch::empty({4 * H}).uniform_(-bound, bound)));
        b_hh_.push_back(register_parameter("bias_hh_l" + n, torch::empty({4 * H}).uniform_(-bound, bound)));
    }
}

std::tuple<torch::Tensor, LstmState> LstmImpl::forward(const torch::Tensor& x, const LstmState& state) {
    const std::int64_t L = options_.layers, B = x.size(1), H = options_.hidden;
    const auto& [h0, c0] = state;
    const torch::Tensor h = h0.defined() ? h0 : torch::zeros({L, B, H}, x.options());
    const torch::Tensor c = c0.defined() ? c0 : torch::zeros({L, B, H}, x.options());
    if (!options_.fused || !x.is_cpu()) {  // the fused layer is CPU code; on a GPU the stock one runs cuDNN
        std::vector<torch::Tensor> flat;
        for (std::int64_t l = 0; l < L; ++l) flat.insert(flat.end(), {w_ih_[l], w_hh_[l], b_ih_[l], b_hh_[l]});
        auto [y, h_n, c_n] = torch::lstm(x, {h, c}, flat, /*has_biases=*/true, L, options_.dropout, is_training(),
                                         /*bidirectional=*/false, /*batch_first=*/false);
        return {y, {h_n, c_n}};
    }
    torch::Tensor input = x;
    std::vector<torch::Tensor> h_n, c_n;
    for (std::int64_t l = 0; l < L; ++l) {
        if (l > 0 && options_.dropout > 0) input = torch::dropout(input, options_.dropout, is_training());
        const auto out = LstmLayerFunction::apply(input, h[l], c[l], w_ih_[l], w_hh_[l], b_ih_[l], b_hh_[l]);
        input = out[0];
        h_n.push_back(out[1]);
        c_n.push_back(out[2]);
    }
    return {input, {torch::stack(h_n), torch::stack(c_n)}};
}

LstmStepState LstmImpl::start(std::int64_t B) const {
    const std::int64_t L = options_.layers, H = options_.hidden;
    LstmStepState s{torch::zeros({L, B, H}), torch::zeros({L, B, H}), torch::empty({B, 4 * H}), {}, {}, {}};
    for (std::int64_t l = 0; l < L; ++l) {
        s.weight.push_back(torch::cat({w_ih_[l], w_hh_[l]}, 1).t().contiguous().detach());
        s.bias.push_back((b_ih_[l] + b_hh_[l]).detach());
        s.input.push_back(torch::empty({B, s.weight.back().size(0)}));
    }
    return s;
}

torch::Tensor LstmImpl::step(const torch::Tensor& x, LstmStepState& s) const {
    const std::int64_t B = x.size(0), H = options_.hidden;
    torch::Tensor input = x;
    for (std::int64_t l = 0; l < options_.layers; ++l) {
        torch::Tensor h = s.h[l], c = s.c[l], xh = s.input[l];
        const std::int64_t I = xh.size(1) - H;
        xh.narrow(1, 0, I).copy_(input);
        xh.narrow(1, I, H).copy_(h);
        step_product(xh, s.weight[l], s.bias[l], s.gates);
        lstm_cell_forward(s.gates.data_ptr<float>(), c.data_ptr<float>(), c.data_ptr<float>(), h.data_ptr<float>(),
                          B, H);
        input = h;
    }
    return input;
}

}  // namespace pianola::model
