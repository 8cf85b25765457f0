// `pianola bench train`: training throughput of either network on random tokens, as one JSON
// line with exactly the fields, model, optimizer and FLOP count of `../shared/peers/seed_torch.py
// train`, so that the two run side by side with the same arguments and compare as a ratio.
// Throughput does not depend on token values. It is a measurement, not a training run: no data,
// no validation, no gradient clipping (the peer has none).
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ComputeSetup.h"
#include "model/LmModel.h"
#include "model/SeedModel.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchTrainFlags {
    std::string recipe = "lm", lstm = "fused";
    std::int64_t layers = 3, hidden = 512, vocab = 358, embed = 64, batch = 64, seq = 100;
    int steps = 5, warmup = 2, threads = 0;
};

constexpr std::int64_t seed_dense = 256;  // the seed design's dense layer, fixed in the peer too

// Forward multiply-adds x2 of the LSTM stack for one time step, as the peer counts them.
double lstm_flops_per_step(const BenchTrainFlags& f, std::int64_t first_input) {
    double flops = 0;
    std::int64_t input = first_input;
    for (std::int64_t l = 0; l < f.layers; ++l, input = f.hidden)
        flops += 2.0 * 4 * static_cast<double>(f.hidden) * static_cast<double>(input + f.hidden);
    return flops;
}

void run_bench_train(const BenchTrainFlags& f) {
    const ComputeInfo compute = setup_compute(f.threads);
    torch::manual_seed(0);
    const bool seed = f.recipe == "seed", fused = f.lstm == "fused";
    model::SeedModel seed_net(nullptr);
    model::LmModel lm_net(nullptr);
    torch::Tensor x, y;
    double forward_flops = 0;
    if (seed) {
        seed_net = model::SeedModel(model::SeedModelOptions{f.vocab, f.layers, f.hidden, seed_dense, 0.3, fused});
        x = torch::randint(0, f.vocab, {f.batch, f.seq}).to(torch::kFloat32) / static_cast<double>(f.vocab);
        y = torch::randint(0, f.vocab, {f.batch}, torch::kInt64);
        forward_flops = static_cast<double>(f.seq) * lstm_flops_per_step(f, 1) +
                        2.0 * static_cast<double>(f.hidden * seed_dense + seed_dense * f.vocab);
    } else {
        lm_net = model::LmModel(
            model::LmModelOptions{f.vocab, f.embed, f.layers, f.hidden, f.layers > 1 ? 0.3 : 0.0, 0.0, fused});
        x = torch::randint(0, f.vocab, {f.batch, f.seq}, torch::kInt64);
        y = torch::randint(0, f.vocab, {f.batch, f.seq}, torch::kInt64);
        forward_flops = static_cast<double>(f.seq) *
                        (lstm_flops_per_step(f, f.embed) + 2.0 * static_cast<double>(f.hidden * f.vocab));
    }
    torch::nn::Module& net = seed ? static_cast<torch::nn::Module&>(*seed_net) : *lm_net;
    net.train();
    torch::optim::RMSprop optimizer(net.parameters(), torch::optim::RMSpropOptions(1e-3).alpha(0.9).eps(1e-7));
    const auto step = [&] {
        optimizer.zero_grad();
        const torch::Tensor logits = seed ? seed_net->forward(x) : std::get<0>(lm_net->forward(x));
        torch::nn::functional::cross_entropy(logits.reshape({-1, f.vocab}), y.reshape(-1)).backward();
        optimizer.step();
    };
    for (int i = 0; i < f.warmup; ++i) step();
    const auto start = Clock::now();
    for (int i = 0; i < f.steps; ++i) step();
    const double sec_per_step = seconds_since(start) / f.steps;

    nlohmann::json line = {{"peer", "pianola"},
                           {"torch", TORCH_VERSION},
                           {"recipe", f.recipe},
                           {"lstm", f.lstm},
                           {"threads", compute.threads},
                           {"layers", f.layers},
                           {"hidden", f.hidden},
                           {"vocab", f.vocab},
                           {"batch", f.batch},
                           {"seq", f.seq},
                           {"sec_per_step", sec_per_step},
                           {"samples_per_s", static_cast<double>(f.batch) / sec_per_step},
                           {"gflops", 3 * forward_flops * static_cast<double>(f.batch) / sec_per_step / 1e9}};
    if (!seed) line["tokens_per_s"] = static_cast<double>(f.batch * f.seq) / sec_per_step;
    fmt::print("{}\n", line.dump());
}

}  // namespace

void add_bench_train_command(CLI::App& bench) {
    auto f = std::make_shared<BenchTrainFlags>();
    CLI::App* cmd = bench.add_subcommand(
        "train", "Training steps per second on random tokens, comparable with seed_torch.py train.");
    cmd->add_option("--recipe", f->recipe, "lm: next-token on every position; seed: the original design")
        ->check(CLI::IsMember({"lm", "seed"}))->capture_default_str();
    cmd->add_option("--lstm", f->lstm, "fused: pianola's LSTM; stock: libtorch's on the same weights")
        ->check(CLI::IsMember({"fused", "stock"}))->capture_default_str();
    cmd->add_option("--layers", f->layers, "LSTM layers")->check(CLI::Range(1, 16))->capture_default_str();
    cmd->add_option("--hidden", f->hidden, "LSTM size")->check(CLI::Range(1, 8192))->capture_default_str();
    cmd->add_option("--vocab", f->vocab, "Vocabulary size")->check(CLI::Range(2, 1000000))->capture_default_str();
    cmd->add_option("--embed", f->embed, "Embedding size (lm)")->check(CLI::Range(1, 8192))->capture_default_str();
    cmd->add_option("--batch", f->batch, "Batch size")->check(CLI::Range(2, 65536))->capture_default_str();
    cmd->add_option("--seq", f->seq, "Sequence length")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--steps", f->steps, "Timed steps")->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--warmup", f->warmup, "Untimed steps first")->check(CLI::Range(0, 100000))->capture_default_str();
    cmd->add_option("--threads", f->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([f] { run_bench_train(*f); });
}

}  // namespace pianola::app
