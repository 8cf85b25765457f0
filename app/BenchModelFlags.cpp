#include "BenchModelFlags.h"

namespace pianola::app {

void add_bench_model_flags(CLI::App& cmd, BenchModelFlags& f, const std::string& lstm_help) {
    cmd.add_option("--lstm", f.lstm, lstm_help)->check(CLI::IsMember({"fused", "stock"}))->capture_default_str();
    cmd.add_option("--layers", f.layers, "LSTM layers")->check(CLI::Range(1, 16))->capture_default_str();
    cmd.add_option("--hidden", f.hidden, "LSTM size")->check(CLI::Range(1, 8192))->capture_default_str();
    cmd.add_option("--vocab", f.vocab, "Vocabulary size")->check(CLI::Range(2, 1000000))->capture_default_str();
    cmd.add_option("--embed", f.embed, "Embedding size of the next-token model")->check(CLI::Range(1, 8192))
        ->capture_default_str();
    cmd.add_option("--seq", f.seq, "Sequence length (the window of the seed design)")->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd.add_option("--threads", f.threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))->capture_default_str();
}

}  // namespace pianola::app
