// The model and thread flags `bench train` and `bench generate` share, with the peers' defaults
// (seed_torch.py: 3x512 LSTM, vocabulary 358, embedding 64, sequence 100; transformer_torch.py with
// --arch transformer: 6 layers of width 512, 8 heads, feed-forward 2048, vocabulary 500, sequence
// 1024), so that a bench and its peer run one model from one command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "model/NextTokenNetwork.h"

namespace pianola::app {

struct BenchModelFlags {
    std::string arch = "lstm";   // the next-token network: lstm or transformer
    std::string lstm = "fused";  // or "stock": libtorch's LSTM on the same weights
    std::optional<std::int64_t> layers, vocab, seq;  // defaults by architecture: resolve()
    std::int64_t hidden = 512, embed = 64;           // LSTM
    std::int64_t dim = 512, heads = 8, ff = 2048;    // Transformer
    bool no_bf16 = false;
    int threads = 0;

    // Fills the sizes left unset with the architecture's peer's defaults.
    void resolve();
    // The next-token network these flags describe, after resolve(): dropout between LSTM layers or
    // in the Transformer's blocks, none on the LSTM's output (as the peer).
    model::NextTokenOptions next_token_options(double dropout) const;
};

// --arch, --lstm (described by lstm_help), --layers, --hidden, --vocab, --embed, --seq, --dim,
// --heads, --ff, --no-bf16, --threads.
void add_bench_model_flags(CLI::App& cmd, BenchModelFlags& flags, const std::string& lstm_help);

}  // namespace pianola::app
