// The Transformer: its generation step (key/value cache) gives the logits of a full forward pass,
// position by position; past its context the cache forgets the oldest half and still agrees with
// a forward pass over the positions it kept; relative attention really sees distances, and its fused
// softmax equals the skew composed of libtorch calls, gradients included; bfloat16 products, and a
// step over bfloat16 weights and cache, stay close to float32; the model file keeps it; validation
// reads long pieces in half-overlapping windows, scoring every token once.
#include <gtest/gtest.h>

#include "TestFiles.h"
#include "model/LmModel.h"
#include "model/ModelFile.h"
#include "model/RelativeSoftmax.h"
#include "model/TransformerModel.h"
#include "runtime/Bf16Products.h"
#include "train/Validation.h"

using namespace pianola;

namespace {

model::TransformerModel small_transformer(std::int64_t layers, std::int64_t context, bool bf16 = false) {
    torch::manual_seed(3);
    model::TransformerModel net(model::TransformerOptions{13, 16, layers, 4, 24, context, 0.0, bf16});
    // Larger weights than the initialization's, so that every position's attention matters.
    torch::NoGradGuard no_grad;
    for (torch::Tensor p : net->parameters()) p.normal_(0, 0.3);
    net->eval();
    return net;
}

// The logits of stepping through `ids` (B, T) one position at a time: (B, T, V).
torch::Tensor stepped(model::TransformerModel& net, const torch::Tensor& ids) {
    torch::NoGradGuard no_grad;
    const std::unique_ptr<model::StepState> s = net->start(ids.size(0));
    std::vector<torch::Tensor> logits;
    for (std::int64_t t = 0; t < ids.size(1); ++t) logits.push_back(net->step(ids.select(1, t).contiguous(), *s).clone());
    return torch::stack(logits, 1);
}

}  // namespace

// Both networks: a state copied into another sequence's buffers goes on as its original.
TEST(Transformer, ACopiedStateGoesOnAsItsOriginalInBothNetworks) {
    torch::manual_seed(6);
    model::LmModel lstm(model::LmModelOptions{13, 5, 2, 9, 0.3, 0.3});
    lstm->eval();
    model::TransformerModel transformer = small_transformer(2, 16);
    torch::NoGradGuard no_grad;
    for (model::NextTokenModelImpl* net : {static_cast<model::NextTokenModelImpl*>(lstm.ptr().get()),
                                           static_cast<model::NextTokenModelImpl*>(transformer.ptr().get())}) {
        const std::unique_ptr<model::StepState> a = net->start(2), b = net->start(2);
        for (const std::int64_t id : {3, 1, 4, 1, 5}) net->step(torch::full({2}, id, torch::kInt64), *a);
        net->step(torch::full({2}, 9, torch::kInt64), *b);
        net->copy_state(*a, *b);
        for (const std::int64_t id : {2, 6}) {
            const torch::Tensor from_a = net->step(torch::full({2}, id, torch::kInt64), *a).clone();
            EXPECT_TRUE(torch::allclose(net->step(torch::full({2}, id, torch::kInt64), *b), from_a)) << "after " << id;
        }
    }
}

// The fused CPU loops against the composed operators a GPU runs, values and gradients.
TEST(Transformer, RelativeSoftmaxEqualsTheSkewComposed) {
    torch::manual_seed(5);
    for (const std::int64_t T : {1, 7, 40}) {
        const torch::Tensor qk = torch::randn({2, 3, T, T}) * 3, rel = torch::randn({2, 3, T, T}) * 3;
        const torch::Tensor upstream = torch::randn({2, 3, T, T});
        for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
            const double tolerance = dtype == torch::kFloat32 ? 1e-5 : 2e-2;
            // Both sides start from the same rounded inputs; the composed side computes in float32.
            const torch::Tensor a = qk.to(dtype).clone().requires_grad_(), b = rel.to(dtype).clone().requires_grad_();
            const torch::Tensor a32 = a.detach().to(torch::kFloat32).requires_grad_(),
                                b32 = b.detach().to(torch::kFloat32).requires_grad_();
            const torch::Tensor fused = model::relative_softmax(a, b, 0.125);
            const torch::Tensor composed = model::relative_softmax_composed(a32, b32, 0.125);
            ASSERT_EQ(fused.scalar_type(), dtype);
            EXPECT_TRUE(torch::allclose(fused.to(torch::kFloat32), composed, tolerance, tolerance)) << T << " " << dtype;
            (fused.to(torch::kFloat32) * upstream).sum().backward();
            (composed * upstream).sum().backward();
            // The skew drops rel's columns that no key reaches: their gradient is 0 on both sides.
            EXPECT_TRUE(torch::allclose(a.grad().to(torch::kFloat32), a32.grad(), tolerance, tolerance)) << T << " " << dtype;
            EXPECT_TRUE(torch::allclose(b.grad().to(torch::kFloat32), b32.grad(), tolerance, tolerance)) << T << " " << dtype;
        }
        // The last R queries alone: the rows of the whole square's answer.
        for (const std::int64_t R : {std::int64_t{1}, T / 2 + 1}) {
            const torch::Tensor a = qk.narrow(2, T - R, R).detach().requires_grad_(),
                                b = rel.narrow(2, T - R, R).detach().requires_grad_();
            const torch::Tensor a_all = qk.detach().requires_grad_(), b_all = rel.detach().requires_grad_();
            const torch::Tensor fused = model::relative_softmax(a, b, 0.125);
            const torch::Tensor rows = model::relative_softmax_composed(a_all, b_all, 0.125).narrow(2, T - R, R);
            EXPECT_TRUE(torch::allclose(fused, rows, 1e-5, 1e-5)) << T << " " << R;
            EXPECT_TRUE(torch::allclose(model::relative_softmax_composed(a, b, 0.125), rows, 1e-5, 1e-5)) << T << " " << R;
            (fused * upstream.narrow(2, T - R, R)).sum().backward();
            (rows * upstream.narrow(2, T - R, R)).sum().backward();
            EXPECT_TRUE(torch::allclose(a.grad(), a_all.grad().narrow(2, T - R, R), 1e-5, 1e-5)) << T << " " << R;
            EXPECT_TRUE(torch::allclose(b.grad(), b_all.grad().narrow(2, T - R, R), 1e-5, 1e-5)) << T << " " << R;
        }
    }
}

TEST(Transformer, StepEqualsForward) {
    for (const std::int64_t layers : {1, 3}) {
        model::TransformerModel net = small_transformer(layers, 12);
        const torch::Tensor ids = torch::randint(0, 13, {3, 12}, torch::kInt64);
        torch::NoGradGuard no_grad;
        const torch::Tensor whole = std::get<0>(net->forward(ids));
        EXPECT_EQ(whole.sizes(), (std::vector<std::int64_t>{3, 12, 13}));
        EXPECT_TRUE(torch::allclose(stepped(net, ids), whole, 1e-4, 1e-4)) << layers << " layers";
        // Causal: changing the last token changes nothing before it.
        torch::Tensor changed = ids.clone();
        changed.select(1, 11).fill_(0);
        changed.select(1, 11).add_(ids.select(1, 11).eq(0).to(torch::kInt64));
        EXPECT_TRUE(torch::allclose(std::get<0>(net->forward(changed)).slice(1, 0, 11), whole.slice(1, 0, 11), 1e-5, 1e-5));
    }
}

TEST(Transformer, SlidingCacheKeepsTheNewestHalf) {
    // One layer: a cached key depends on its own token only, so after the cache forgets, stepping
    // must equal a forward pass over exactly the positions kept.
    model::TransformerModel net = small_transformer(1, 8);
    const torch::Tensor ids = torch::randint(0, 13, {2, 13}, torch::kInt64);
    const torch::Tensor logits = stepped(net, ids);  // the cache fills at 8, keeps positions 4..7, fills again at 12
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::allclose(logits.select(1, 11), std::get<0>(net->forward(ids.slice(1, 4, 12))).select(1, 7), 1e-4, 1e-4));
    EXPECT_TRUE(torch::allclose(logits.select(1, 12), std::get<0>(net->forward(ids.slice(1, 8, 13))).select(1, 4), 1e-4, 1e-4));
}

TEST(Transformer, RelativeAttentionSeesDistanceNotPosition) {
    model::TransformerModel net = small_transformer(1, 16);
    torch::NoGradGuard no_grad;
    // One layer, relative positions only: a phrase scores alike wherever its window starts.
    const torch::Tensor phrase = torch::randint(0, 13, {1, 6}, torch::kInt64);
    const torch::Tensor alone = std::get<0>(net->forward(phrase));
    const torch::Tensor again = std::get<0>(net->forward(torch::cat({phrase, phrase}, 1)));
    EXPECT_FALSE(torch::allclose(again.slice(1, 6), alone, 1e-3, 1e-3));  // it attends back into the first copy
    // ... but the distance table is what tells near from far: zeroing it changes the scores.
    const torch::Tensor before = std::get<0>(net->forward(phrase));
    for (auto& p : net->named_parameters())
        if (p.key().find("distance") != std::string::npos) p.value().zero_();
    EXPECT_FALSE(torch::allclose(std::get<0>(net->forward(phrase)), before, 1e-3, 1e-3));
}

TEST(Transformer, Bf16ProductsStayCloseToFloat32) {
    if (!cpu_has_bf16()) GTEST_SKIP() << "this CPU has no AVX512-BF16";
    model::TransformerModel fp32 = small_transformer(2, 32, false), bf16 = small_transformer(2, 32, true);
    const torch::Tensor ids = torch::randint(0, 13, {2, 32}, torch::kInt64);
    torch::NoGradGuard no_grad;
    const torch::Tensor a = std::get<0>(fp32->forward(ids)).log_softmax(-1), b = std::get<0>(bf16->forward(ids)).log_softmax(-1);
    EXPECT_EQ(b.scalar_type(), torch::kFloat32);
    EXPECT_FALSE(torch::equal(a, b));  // the products did run in bfloat16
    EXPECT_LT((a.exp() - b.exp()).abs().max().item<double>(), 0.05);
}

TEST(Transformer, Bf16StepStaysCloseToFloat32) {
    // A model with bfloat16 products steps with bfloat16 weights and cache (on any CPU: they are
    // widened to float32 in registers), and stays close to the float32 model's forward pass.
    model::TransformerModel fp32 = small_transformer(2, 12, false), bf16 = small_transformer(2, 12, true);
    const torch::Tensor ids = torch::randint(0, 13, {2, 20}, torch::kInt64);  // past the context: the cache slides
    const torch::Tensor a = stepped(fp32, ids).softmax(-1), b = stepped(bf16, ids).softmax(-1);
    EXPECT_FALSE(torch::equal(a, b));  // the step did read bfloat16
    EXPECT_LT((a - b).abs().max().item<double>(), 0.05);
}

TEST(Transformer, ModelFileKeepsIt) {
    fixtures::TempDir dir;
    model::TransformerModel net = small_transformer(2, 10);
    model::ModelInfo info;
    info.tokenizer = music::SeedTokenizer();
    info.options = net->options();
    info.window = 10;
    std::vector<std::string> tokens{std::string(music::piece_start_token)};
    for (int v = 1; v < 13; ++v) tokens.push_back("C" + std::to_string(v % 10) + (v > 9 ? "#" : ""));
    info.vocabulary = music::Vocabulary(tokens);
    model::save_model(dir / "t.pianola", info, *net);
    model::LoadedModel loaded = model::load_model(dir / "t.pianola");
    ASSERT_TRUE(std::holds_alternative<model::TransformerOptions>(loaded.info.options));
    EXPECT_EQ(std::get<model::TransformerOptions>(loaded.info.options).context, 10);
    auto& again = *std::get<model::NextTokenModel>(loaded.net);
    again.eval();
    const torch::Tensor ids = torch::randint(0, 13, {2, 10}, torch::kInt64);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::equal(std::get<0>(again.forward(ids)), std::get<0>(net->forward(ids))));
}

TEST(Transformer, ValidationWindowsScoreEveryTokenOnceWithHalfAContextBehind) {
    model::TransformerModel net = small_transformer(2, 8);
    const std::vector<train::TokenIds> pieces = {{0, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3},
                                                 {0, 2, 5}};
    const eval::CrossEntropy scored = train::validate(*net, pieces);
    EXPECT_EQ(scored.tokens, 19 + 2);
    // By hand: the first window scores its 8 predictions, each later one (every 4 positions) its last 4.
    torch::NoGradGuard no_grad;
    const auto nll = [&](const train::TokenIds& piece, std::int64_t begin, std::int64_t end, std::int64_t skip) {
        const torch::Tensor ids = torch::tensor(piece, torch::kInt64).unsqueeze(0);
        const torch::Tensor logits = std::get<0>(net->forward(ids.slice(1, begin, end))).squeeze(0);
        return torch::nn::functional::cross_entropy(logits.slice(0, skip), ids.squeeze(0).slice(0, begin + 1 + skip, end + 1),
                                                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    };
    const double expected = nll(pieces[0], 0, 8, 0) + nll(pieces[0], 4, 12, 4) + nll(pieces[0], 8, 16, 4) +
                            nll(pieces[0], 12, 19, 4) + nll(pieces[1], 0, 2, 0);
    EXPECT_NEAR(scored.nats, expected, 1e-3);
}
