// `pianola bench gemm`: the matrix-product speed this machine gives libtorch, the yardstick for the
// training and generation figures: one JSON line per shape, the best of --repeat runs. float32
// goes through OpenBLAS; `--dtype bfloat16` through oneDNN, as the Transformer's products under
// runtime/Bf16Products do (on libtorch's own thread pool, widened to every core as the Transformer's
// training widens it). The default shapes
// are a large square product (the machine's peak), the products one training step of the 3x512
// LSTM makes (batch 64, sequence 100) and those of the Transformer at width 256 (8 x 512 tokens).
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "ComputeSetup.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct GemmShape {
    std::string name;
    std::int64_t m, n, k;
};

struct BenchGemmFlags {
    std::int64_t size = 0;  // 0: the default shapes
    std::string dtype = "float32";
    int repeat = 10, threads = 0;
};

void run_bench_gemm(const BenchGemmFlags& f) {
    const ComputeInfo compute = setup_compute(f.threads);
    const std::vector<GemmShape> shapes =
        f.size ? std::vector<GemmShape>{{"square", f.size, f.size, f.size}}
               : std::vector<GemmShape>{{"square", 2048, 2048, 2048},
                                        {"lstm-step", 64, 2048, 512},           // (B, H) x (H, 4H)
                                        {"lstm-sequence", 6400, 2048, 512},     // (T B, H) x (H, 4H)
                                        {"lstm-weight-grad", 2048, 512, 6400},  // (4H, T B) x (T B, H)
                                        {"transformer-ff", 4096, 1024, 256}};   // (B T, D) x (D, F)
    const auto dtype = f.dtype == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;
    const LibtorchThreads pool(dtype == torch::kBFloat16 ? compute.threads : 1);
    for (const GemmShape& s : shapes) {
        const torch::Tensor a = torch::randn({s.m, s.k}).to(dtype), b = torch::randn({s.k, s.n}).to(dtype);
        torch::Tensor c = torch::empty({s.m, s.n}, dtype);
        torch::mm_out(c, a, b);  // first touch
        double best = 1e300;
        for (int r = 0; r < f.repeat; ++r) {
            const auto start = Clock::now();
            torch::mm_out(c, a, b);
            best = std::min(best, seconds_since(start));
        }
        const double flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
        const nlohmann::json line = {{"bench", "gemm"}, {"shape", s.name}, {"m", s.m},           {"n", s.n},
                                     {"k", s.k},        {"sec", best},     {"gflops", flops / best / 1e9},
                                     {"dtype", f.dtype}, {"threads", compute.threads},
                                     {"blas", dtype == torch::kFloat32 ? compute.blas : "oneDNN (libtorch)"}};
        fmt::print("{}\n", line.dump());
    }
}

}  // namespace

void add_bench_gemm_command(CLI::App& bench) {
    auto f = std::make_shared<BenchGemmFlags>();
    CLI::App* cmd = bench.add_subcommand("gemm", "Matrix-product GFLOP/s through libtorch: float32 (OpenBLAS) or bfloat16.");
    cmd->add_option("--dtype", f->dtype, "float32 (OpenBLAS) or bfloat16 (oneDNN)")
        ->check(CLI::IsMember({"float32", "bfloat16"}))->capture_default_str();
    cmd->add_option("--size", f->size, "One square product of this size instead of the default shapes")
        ->check(CLI::Range(1, 16384));
    cmd->add_option("--repeat", f->repeat, "Timed runs per shape; the best is reported")
        ->check(CLI::Range(1, 10000))->capture_default_str();
    cmd->add_option("--threads", f->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->callback([f] { run_bench_gemm(*f); });
}

}  // namespace pianola::app
