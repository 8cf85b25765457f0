#include "model/LstmLayerFunction.h"

#include "model/LstmCell.h"

namespace pianola::model {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

variable_list LstmLayerFunction::forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor h0, torch::Tensor c0,
                                         torch::Tensor w_ih, torch::Tensor w_hh, torch::Tensor b_ih,
                                         torch::Tensor b_hh) {
    x = x.contiguous();
    h0 = h0.contiguous();
    c0 = c0.contiguous();
    const std::int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
    // Every step's input projection and bias at once: (T * B, I) x (I, 4H).
    torch::Tensor gates = torch::addmm(b_ih + b_hh, x.view({T * B, I}), w_ih.t()).view({T, B, 4 * H});
    torch::Tensor y = torch::empty({T, B, H}, x.options());
    torch::Tensor c = torch::empty({T, B, H}, x.options());
    const torch::Tensor w_hh_t = w_hh.t();
    for (std::int64_t t = 0; t < T; ++t) {
        const torch::Tensor h_prev = t ? y[t - 1] : h0;
        const torch::Tensor c_prev = t ? c[t - 1] : c0;
        torch::Tensor gates_t = gates[t];
        gates_t.addmm_(h_prev, w_hh_t);  // (B, H) x (H, 4H), added in place
        lstm_cell_forward(gates_t.data_ptr<float>(), c_prev.data_ptr<float>(), c[t].data_ptr<float>(),
                          y[t].data_ptr<float>(), B, H);
    }
    // gates now holds the activations: with c they are all backward needs besides the inputs.
    ctx->save_for_backward({x, h0, c0, w_ih, w_hh, gates, c, y});
    return {y, y[T - 1].clone(), c[T - 1].clone()};
}

variable_list LstmLayerFunction::backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &h0 = saved[1], &c0 = saved[2], &w_ih = saved[3], &w_hh = saved[4],
                        &gates = saved[5], &c = saved[6], &y = saved[7];
    const std::int64_t T = x.size(0), B = x.size(1), I = x.size(2), H = w_hh.size(1);
    const torch::Tensor dy = grads[0].contiguous();  // (T, B, H)
    torch::Tensor dh = grads[1].contiguous().clone();  // (B, H): reaching h_t from step t+1
    torch::Tensor dc = grads[2].contiguous().clone();  // (B, H): reaching c_t from step t+1
    torch::Tensor dgates = torch::empty_like(gates);  // (T, B, 4H)
    for (std::int64_t t = T - 1; t >= 0; --t) {
        const torch::Tensor c_prev = t ? c[t - 1] : c0;
        torch::Tensor dgates_t = dgates[t];
        lstm_cell_backward(gates[t].data_ptr<float>(), c_prev.data_ptr<float>(), c[t].data_ptr<float>(),
                           dy[t].data_ptr<float>(), dh.data_ptr<float>(), dc.data_ptr<float>(),
                           dgates_t.data_ptr<float>(), B, H);
        torch::mm_out(dh, dgates_t, w_hh);  // (B, 4H) x (4H, H): on to h_{t-1}
    }
    // The weight gradients of all steps as single products with K = T * B.
    const torch::Tensor g = dgates.view({T * B, 4 * H});
    torch::Tensor dw_hh = torch::mm(dgates[0].t(), h0);  // step 0 saw h0, the others saw y[t - 1]
    if (T > 1) dw_hh.addmm_(dgates.slice(0, 1).reshape({(T - 1) * B, 4 * H}).t(), y.slice(0, 0, T - 1).reshape({(T - 1) * B, H}));
    const torch::Tensor dw_ih = torch::mm(g.t(), x.view({T * B, I}));
    const torch::Tensor db = g.sum(0);
    const torch::Tensor dx = ctx->needs_input_grad(0) ? torch::mm(g, w_ih).view({T, B, I}) : torch::Tensor();
    return {dx, dh, dc, dw_ih, dw_hh, db, db};
}

}  // namespace pianola::model
