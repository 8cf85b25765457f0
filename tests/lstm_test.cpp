// The fused LSTM against libtorch's own: with the same weights, outputs, final states and every
// gradient agree to float32 tolerance on random sizes, one to three layers, with and without an
// initial state; step() agrees with forward(); and next-token training on the tiny preset follows
// the same loss curve with either layer.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "TestFiles.h"
#include "TinyJob.h"
#include "model/LmModel.h"
#include "model/Lstm.h"
#include "model/StepProduct.h"
#include "runtime/Compute.h"
#include "train/LmTrainer.h"
#include "train/PieceSplit.h"

using namespace pianola;

namespace {

struct Sizes {
    std::int64_t T, B, I, H, L;
};

// Copies every parameter of `from` into the parameter of the same name of `to`.
void copy_parameters(torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard no_grad;
    auto target = to.named_parameters();
    for (const auto& p : from.named_parameters()) target[p.key()].copy_(p.value());
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what) {
    ASSERT_TRUE(actual.defined()) << what;
    ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
    const double error = (actual - expected).abs().max().item<double>();
    const double scale = expected.abs().max().item<double>();
    EXPECT_LE(error, 1e-5 + 1e-4 * scale) << what << ": max error " << error << " at scale " << scale;
}

}  // namespace

TEST(Lstm, ParametersHaveTheStockLayersNamesAndShapes) {
    torch::nn::LSTM stock(torch::nn::LSTMOptions(5, 7).num_layers(3));
    model::Lstm fused(model::LstmOptions{5, 7, 3, 0.0, true});
    const auto a = stock->named_parameters(), b = fused->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].key(), b[i].key());
        EXPECT_EQ(a[i].value().sizes(), b[i].value().sizes()) << a[i].key();
    }
}

TEST(Lstm, OutputsStatesAndGradientsMatchTorchLstm) {
    torch::manual_seed(11);
    const std::vector<Sizes> cases = {{1, 1, 1, 3, 1}, {7, 3, 5, 8, 1}, {12, 4, 6, 16, 2}, {9, 2, 1, 32, 3}, {20, 5, 13, 24, 3}};
    for (const Sizes& s : cases) {
        for (const bool with_state : {false, true}) {
            const std::string what = fmt::format("T{} B{} I{} H{} L{} state {}", s.T, s.B, s.I, s.H, s.L, with_state);
            torch::nn::LSTM stock(torch::nn::LSTMOptions(s.I, s.H).num_layers(s.L));
            model::Lstm fused(model::LstmOptions{s.I, s.H, s.L, 0.0, true});
            copy_parameters(*stock, *fused);

            const torch::Tensor x = torch::randn({s.T, s.B, s.I});
            const torch::Tensor h0 = torch::randn({s.L, s.B, s.H}), c0 = torch::randn({s.L, s.B, s.H});
            // Random weights on each output, so every output's gradient path is exercised.
            const torch::Tensor wy = torch::randn({s.T, s.B, s.H}), wh = torch::randn({s.L, s.B, s.H}),
                                wc = torch::randn({s.L, s.B, s.H});
            struct Run {
                torch::Tensor y, h, c, dx, dh0, dc0;
            };
            const auto run = [&](auto forward) {
                Run r;
                const torch::Tensor xi = x.clone().requires_grad_(true);
                const torch::Tensor hi = h0.clone().requires_grad_(true), ci = c0.clone().requires_grad_(true);
                std::tie(r.y, r.h, r.c) = forward(xi, hi, ci);
                ((r.y * wy).sum() + (r.h * wh).sum() + (r.c * wc).sum()).backward();
                r.dx = xi.grad();
                if (with_state) r.dh0 = hi.grad(), r.dc0 = ci.grad();
                return r;
            };
            const Run a = run([&](const torch::Tensor& xi, const torch::Tensor& hi, const torch::Tensor& ci) {
                auto [y, state] = with_state ? stock->forward(xi, std::make_tuple(hi, ci)) : stock->forward(xi);
                return std::make_tuple(y, std::get<0>(state), std::get<1>(state));
            });
            const Run b = run([&](const torch::Tensor& xi, const torch::Tensor& hi, const torch::Tensor& ci) {
                auto [y, state] = with_state ? fused->forward(xi, {hi, ci}) : fused->forward(xi);
                return std::make_tuple(y, std::get<0>(state), std::get<1>(state));
            });
            expect_close(b.y, a.y, what + " y");
            expect_close(b.h, a.h, what + " h_T");
            expect_close(b.c, a.c, what + " c_T");
            expect_close(b.dx, a.dx, what + " dx");
            if (with_state) {
                expect_close(b.dh0, a.dh0, what + " dh0");
                expect_close(b.dc0, a.dc0, what + " dc0");
            }
            const auto fused_params = fused->named_parameters();
            for (const auto& p : stock->named_parameters())
                expect_close(fused_params[p.key()].grad(), p.value().grad(), what + " " + p.key());
        }
    }
}

TEST(Lstm, StockModeRunsTheSameWeights) {
    torch::manual_seed(3);
    model::Lstm fused(model::LstmOptions{4, 6, 2, 0.0, true});
    model::Lstm stock(model::LstmOptions{4, 6, 2, 0.0, false});
    copy_parameters(*fused, *stock);
    const torch::Tensor x = torch::randn({5, 3, 4});
    expect_close(std::get<0>(fused->forward(x)), std::get<0>(stock->forward(x)), "y");
}

TEST(Lstm, StepEqualsForward) {
    torch::manual_seed(5);
    model::Lstm lstm(model::LstmOptions{6, 10, 3, 0.3, true});
    lstm->eval();
    torch::NoGradGuard no_grad;
    for (const std::int64_t B : {1, 5, 40}) {  // 1: the matrix-vector path
        const torch::Tensor x = torch::randn({8, B, 6});
        const torch::Tensor y = std::get<0>(lstm->forward(x));
        model::LstmStepState s = lstm->start(B);
        for (std::int64_t t = 0; t < 8; ++t) expect_close(lstm->step(x[t], s), y[t], fmt::format("B{} t{}", B, t));
    }
}

TEST(StepProduct, EqualsAddmmForEveryTileAndTail) {
    configure_compute(2);  // the cores split the outputs
    torch::manual_seed(4);
    torch::NoGradGuard no_grad;
    // N = 358 leaves blocks of 64 and 16 outputs and a tail of 6; N = 7 only a tail; B = 1..9 every
    // tile of pieces (4 + 1 .. 4 + 4 + 1); B = 1 the matrix-vector path (float32 weights).
    for (const std::int64_t B : {1, 2, 3, 4, 5, 6, 7, 8, 9, 33})
        for (const auto& [N, K] : {std::pair<std::int64_t, std::int64_t>{358, 37}, {7, 5}, {2048, 576}, {1, 1}}) {
            const torch::Tensor x = torch::randn({B, K}), wt = torch::randn({K, N}), bias = torch::randn({N});
            torch::Tensor y = torch::empty({B, N});
            model::step_product(x, wt, bias, y);
            expect_close(y, torch::addmm(bias, x, wt), fmt::format("B{} N{} K{}", B, N, K));
            // bfloat16 weights in panels: the same product with W rounded, widened exactly in the kernel.
            const torch::Tensor rounded = wt.to(torch::kBFloat16).to(torch::kFloat32);
            model::step_product(x, model::step_weight(rounded.t(), torch::kBFloat16), bias, y);
            expect_close(y, torch::addmm(bias, x, rounded), fmt::format("bf16 B{} N{} K{}", B, N, K));
        }
}

TEST(Lstm, LmModelStepEqualsForward) {
    torch::manual_seed(6);
    model::LmModel net(model::LmModelOptions{12, 5, 2, 9, 0.3, 0.3});
    net->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor ids = torch::randint(0, 12, {3, 7}, torch::kInt64);  // (B, T)
    const torch::Tensor logits = std::get<0>(net->forward(ids));             // (B, T, V)
    const std::unique_ptr<model::StepState> s = net->start(3);
    for (std::int64_t t = 0; t < 7; ++t)
        expect_close(net->step(ids.select(1, t).contiguous(), *s), logits.select(1, t), fmt::format("t{}", t));
}

TEST(Lstm, TrainingFollowsTheStockLayersLossCurve) {
    // The tiny preset on a small corpus, once per layer; one LSTM layer, so no dropout mask
    // separates the two runs, and the output dropout draws from the same generator in both.
    music::Corpus corpus;
    const std::vector<std::string> phrase = {"C4", "E4", "G4", "0.4.7", "D4", "F4", "A4", "2.5.9", "B3", "7.11.2"};
    for (int p = 0; p < 6; ++p) {
        std::vector<std::string> tokens;
        for (int i = 0; i < 60; ++i) tokens.push_back(phrase[static_cast<std::size_t>(i * (p + 1) + p) % phrase.size()]);
        corpus.add_piece("piece" + std::to_string(p) + ".mid", tokens);
    }
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(6, 0.3, 1), 1);
    std::vector<std::vector<double>> curves;
    for (const bool fused : {false, true}) {
        fixtures::TempDir dir;
        train::LmJob job = fixtures::tiny_job(dir / "m.pianola");
        job.recipe.transpose = 1;
        std::get<model::LmModelOptions>(job.recipe.model).fused_lstm = fused;
        std::vector<double> curve;
        job.on_epoch = [&](const train::EpochReport& e) {
            curve.push_back(e.loss);
            curve.push_back(e.validation->nats_per_token());
        };
        train::train_lm(set, job);
        curves.push_back(curve);
    }
    ASSERT_EQ(curves[0].size(), curves[1].size());
    ASSERT_GE(curves[0].size(), 4u);
    for (std::size_t i = 0; i < curves[0].size(); ++i) EXPECT_NEAR(curves[1][i], curves[0][i], 1e-3) << i;
    EXPECT_LT(curves[1][curves[1].size() - 2], curves[1][0]);  // and it learned something
}
