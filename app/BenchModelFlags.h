// The model and thread flags `bench train` and `bench generate` share, with the peer's defaults
// (seed_torch.py: 3x512, vocabulary 358, embedding 64, sequence 100), so that both benches and the
// peer run one model from one command line.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace pianola::app {

struct BenchModelFlags {
    std::string lstm = "fused";  // or "stock": libtorch's LSTM on the same weights
    std::int64_t layers = 3, hidden = 512, vocab = 358, embed = 64, seq = 100;
    int threads = 0;
};

// --lstm (described by lstm_help), --layers, --hidden, --vocab, --embed, --seq, --threads.
void add_bench_model_flags(CLI::App& cmd, BenchModelFlags& flags, const std::string& lstm_help);

}  // namespace pianola::app
