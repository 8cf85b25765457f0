// `pianola bench train`: training throughput of any network on random tokens, as one JSON line
// with exactly the fields, model, optimizer and FLOP count of its peer (`../shared/peers/
// seed_torch.py train` for the LSTMs, `transformer_torch.py train` for `--arch transformer`), so
// that the two run side by side with the same arguments and compare as a ratio.
// Throughput does not depend on token values. It is a measurement, not a training run: no data,
// no validation, no gradient clipping (the peer has none).
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BenchModelFlags.h"
#include "Commands.h"
#include "ComputeSetup.h"
#include "model/SeedModel.h"
#include "runtime/Bf16Products.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchTrainFlags {
    std::string recipe = "lm";
    BenchModelFlags model;
    std::optional<std::int64_t> batch;  // default 64; 8 for the Transformer, as the peers
    int steps = 5, warmup = 2;
};

constexpr std::int64_t seed_dense = 256;  // the seed design's dense layer, fixed in the peer too

// Forward multiply-adds x2 of the LSTM stack for one time step, as the peer counts them.
double lstm_flops_per_step(const BenchModelFlags& m, std::int64_t first_input) {
    double flops = 0;
    std::int64_t input = first_input;
    for (std::int64_t l = 0; l < *m.layers; ++l, input = m.hidden)
        flops += 2.0 * 4 * static_cast<double>(m.hidden) * static_cast<double>(input + m.hidden);
    return flops;
}

// Forward multiply-adds x2 of the Transformer for one token, as transformer_torch.py counts them:
// projections, feed-forward, output, and attention at T / 2 keys on average (QK, QE, AV).
double transformer_flops_per_token(const BenchModelFlags& m) {
    const auto D = static_cast<double>(m.dim), F = static_cast<double>(m.ff), T = static_cast<double>(*m.seq);
    const double per_layer = 2 * (4 * D * D + 2 * D * F) + 2 * 3 * D * T / 2 * 2;
    return static_cast<double>(*m.layers) * per_layer + 2 * D * static_cast<double>(*m.vocab);
}

void run_bench_train(BenchTrainFlags f) {
    BenchModelFlags& m = f.model;
    m.resolve();
    const bool seed = f.recipe == "seed", transformer = m.arch == "transformer";
    if (seed && transformer) throw std::invalid_argument("--recipe seed is the original design's LSTM; drop --arch");
    const std::int64_t batch = f.batch.value_or(transformer ? 8 : 64), V = *m.vocab, T = *m.seq;
    const ComputeInfo compute = setup_compute(m.threads);
    torch::manual_seed(0);
    model::SeedModel seed_net(nullptr);
    model::NextTokenModel lm_net;
    torch::Tensor x, y;
    double forward_flops = 0;
    if (seed) {
        seed_net = model::SeedModel(model::SeedModelOptions{V, *m.layers, m.hidden, seed_dense, 0.3, m.lstm == "fused"});
        x = torch::randint(0, V, {batch, T}).to(torch::kFloat32) / static_cast<double>(V);
        y = torch::randint(0, V, {batch}, torch::kInt64);
        forward_flops = static_cast<double>(T) * lstm_flops_per_step(m, 1) +
                        2.0 * static_cast<double>(m.hidden * seed_dense + seed_dense * V);
    } else {
        // The LSTM peer trains with dropout between layers; the Transformer peer times none.
        lm_net = model::make_next_token_model(m.next_token_options(transformer ? 0.0 : 0.3));
        x = torch::randint(0, V, {batch, T}, torch::kInt64);
        y = torch::randint(0, V, {batch, T}, torch::kInt64);
        forward_flops = static_cast<double>(T) *
                        (transformer ? transformer_flops_per_token(m)
                                     : lstm_flops_per_step(m, m.embed) + 2.0 * static_cast<double>(m.hidden * V));
    }
    torch::nn::Module& net = seed ? static_cast<torch::nn::Module&>(*seed_net) : *lm_net;
    const LibtorchThreads pool(seed ? 1 : lm_net->training_threads());
    net.train();
    // Each peer's optimizer: RMSprop for the LSTMs, AdamW at 3e-4 for the Transformer.
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    if (transformer) optimizer = std::make_unique<torch::optim::AdamW>(net.parameters(), torch::optim::AdamWOptions(3e-4));
    else optimizer = std::make_unique<torch::optim::RMSprop>(net.parameters(),
                                                             torch::optim::RMSpropOptions(1e-3).alpha(0.9).eps(1e-7));
    const auto step = [&] {
        optimizer->zero_grad();
        const torch::Tensor logits = seed ? seed_net->forward(x) : std::get<0>(lm_net->forward(x));
        torch::nn::functional::cross_entropy(logits.reshape({-1, V}), y.reshape(-1)).backward();
        optimizer->step();
    };
    for (int i = 0; i < f.warmup; ++i) step();
    const auto start = Clock::now();
    for (int i = 0; i < f.steps; ++i) step();
    const double sec_per_step = seconds_since(start) / f.steps;

    nlohmann::json line = {{"peer", "pianola"},
                           {"torch", TORCH_VERSION},
                           {"recipe", f.recipe},
                           {"arch", seed ? "seed-lstm" : m.arch},
                           {"threads", compute.threads},
                           {"layers", *m.layers},
                           {"vocab", V},
                           {"batch", batch},
                           {"seq", T},
                           {"sec_per_step", sec_per_step},
                           {"samples_per_s", static_cast<double>(batch) / sec_per_step},
                           {"gflops", 3 * forward_flops * static_cast<double>(batch) / sec_per_step / 1e9}};
    if (transformer) {
        line.update({{"dim", m.dim}, {"heads", m.heads}, {"ff", m.ff}, {"bf16", !m.no_bf16 && cpu_has_bf16()}});
        std::int64_t params = 0;
        for (const torch::Tensor& p : net.parameters()) params += p.numel();
        line["params"] = params;
    } else {
        line.update({{"lstm", m.lstm}, {"hidden", m.hidden}});
    }
    if (!seed) line["tokens_per_s"] = static_cast<double>(batch * T) / sec_per_step;
    fmt::print("{}\n", line.dump());
}

}  // namespace

void add_bench_train_command(CLI::App& bench) {
    auto f = std::make_shared<BenchTrainFlags>();
    CLI::App* cmd = bench.add_subcommand(
        "train", "Training steps per second on random tokens, comparable with seed_torch.py train.");
    cmd->add_option("--recipe", f->recipe, "lm: next-token on every position; seed: the original design")
        ->check(CLI::IsMember({"lm", "seed"}))->capture_default_str();
    add_bench_model_flags(*cmd, f->model, "fused: pianola's LSTM; stock: libtorch's on the same weights");
    cmd->add_option("--batch", f->batch, "Batch size (default 64; 8 for the Transformer)")->check(CLI::Range(1, 65536));
    cmd->add_option("--steps", f->steps, "Timed steps")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--warmup", f->warmup, "Untimed steps first")->check(CLI::Range(0, 100000))->capture_default_str();
    cmd->callback([f] { run_bench_train(*f); });
}

}  // namespace pianola::app
