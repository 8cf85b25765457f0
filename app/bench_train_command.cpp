// `pianola bench train`: training throughput of either network on random tokens, as one JSON
// line with exactly the fields, model, optimizer and FLOP count of `../shared/peers/seed_torch.py
// train`, so that the two run side by side with the same arguments and compare as a ratio.
// Throughput does not depend on token values. It is a measurement, not a training run: no data,
// no validation, no gradient clipping (the peer has none).
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BenchModelFlags.h"
#include "Commands.h"
#include "ComputeSetup.h"
#include "model/LmModel.h"
#include "model/SeedModel.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchTrainFlags {
    std::string recipe = "lm";
    BenchModelFlags model;
    std::int64_t batch = 64;
    int steps = 5, warmup = 2;
};

constexpr std::int64_t seed_dense = 256;  // the seed design's dense layer, fixed in the peer too

// Forward multiply-adds x2 of the LSTM stack for one time step, as the peer counts them.
double lstm_flops_per_step(const BenchModelFlags& m, std::int64_t first_input) {
    double flops = 0;
    std::int64_t input = first_input;
    for (std::int64_t l = 0; l < m.layers; ++l, input = m.hidden)
        flops += 2.0 * 4 * static_cast<double>(m.hidden) * static_cast<double>(input + m.hidden);
    return flops;
}

void run_bench_train(const BenchTrainFlags& f) {
    const BenchModelFlags& m = f.model;
    const ComputeInfo compute = setup_compute(m.threads);
    torch::manual_seed(0);
    const bool seed = f.recipe == "seed", fused = m.lstm == "fused";
    model::SeedModel seed_net(nullptr);
    model::LmModel lm_net(nullptr);
    torch::Tensor x, y;
    double forward_flops = 0;
    if (seed) {
        seed_net = model::SeedModel(model::SeedModelOptions{m.vocab, m.layers, m.hidden, seed_dense, 0.3, fused});
        x = torch::randint(0, m.vocab, {f.batch, m.seq}).to(torch::kFloat32) / static_cast<double>(m.vocab);
        y = torch::randint(0, m.vocab, {f.batch}, torch::kInt64);
        forward_flops = static_cast<double>(m.seq) * lstm_flops_per_step(m, 1) +
                        2.0 * static_cast<double>(m.hidden * seed_dense + seed_dense * m.vocab);
    } else {
        lm_net = model::LmModel(
            model::LmModelOptions{m.vocab, m.embed, m.layers, m.hidden, m.layers > 1 ? 0.3 : 0.0, 0.0, fused});
        x = torch::randint(0, m.vocab, {f.batch, m.seq}, torch::kInt64);
        y = torch::randint(0, m.vocab, {f.batch, m.seq}, torch::kInt64);
        forward_flops = static_cast<double>(m.seq) *
                        (lstm_flops_per_step(m, m.embed) + 2.0 * static_cast<double>(m.hidden * m.vocab));
    }
    torch::nn::Module& net = seed ? static_cast<torch::nn::Module&>(*seed_net) : *lm_net;
    net.train();
    torch::optim::RMSprop optimizer(net.parameters(), torch::optim::RMSpropOptions(1e-3).alpha(0.9).eps(1e-7));
    const auto step = [&] {
        optimizer.zero_grad();
        const torch::Tensor logits = seed ? seed_net->forward(x) : std::get<0>(lm_net->forward(x));
        torch::nn::functional::cross_entropy(logits.reshape({-1, m.vocab}), y.reshape(-1)).backward();
        optimizer.step();
    };
    for (int i = 0; i < f.warmup; ++i) step();
    const auto start = Clock::now();
    for (int i = 0; i < f.steps; ++i) step();
    const double sec_per_step = seconds_since(start) / f.steps;

    nlohmann::json line = {{"peer", "pianola"},
                           {"torch", TORCH_VERSION},
                           {"recipe", f.recipe},
                           {"lstm", m.lstm},
                           {"threads", compute.threads},
                           {"layers", m.layers},
                           {"hidden", m.hidden},
                           {"vocab", m.vocab},
                           {"batch", f.batch},
                           {"seq", m.seq},
                           {"sec_per_step", sec_per_step},
                           {"samples_per_s", static_cast<double>(f.batch) / sec_per_step},
                           {"gflops", 3 * forward_flops * static_cast<double>(f.batch) / sec_per_step / 1e9}};
    if (!seed) line["tokens_per_s"] = static_cast<double>(f.batch * m.seq) / sec_per_step;
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
    cmd->add_option("--batch", f->batch, "Batch size")->check(CLI::Range(2, 65536))->capture_default_str();
    cmd->add_option("--steps", f->steps, "Timed steps")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--warmup", f->warmup, "Untimed steps first")->check(CLI::Range(0, 100000))->capture_default_str();
    cmd->callback([f] { run_bench_train(*f); });
}

}  // namespace pianola::app
