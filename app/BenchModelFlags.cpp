#include "BenchModelFlags.h"

namespace pianola::app {

void BenchModelFlags::resolve() {
    const bool transformer = arch == "transformer";
    if (!layers) layers = transformer ? 6 : 3;
    if (!vocab) vocab = transformer ? 500 : 358;
    if (!seq) seq = transformer ? 1024 : 100;
    if (transformer && dim % heads != 0) throw std::invalid_argument("--dim must be a multiple of --heads");
}

model::NextTokenOptions BenchModelFlags::next_token_options(double dropout) const {
    if (arch == "transformer") return model::TransformerOptions{*vocab, dim, *layers, heads, ff, *seq, dropout, !no_bf16};
    return model::LmModelOptions{*vocab, embed, *layers, hidden, *layers > 1 ? dropout : 0.0, 0.0, lstm == "fused"};
}

void add_bench_model_flags(CLI::App& cmd, BenchModelFlags& f, const std::string& lstm_help) {
    cmd.add_option("--arch", f.arch, "Next-token network: lstm or transformer")
        ->check(CLI::IsMember({"lstm", "transformer"}))->capture_default_str();
    cmd.add_option("--lstm", f.lstm, lstm_help)->check(CLI::IsMember({"fused", "stock"}))->capture_default_str();
    cmd.add_option("--layers", f.layers, "Layers (default 3 for the LSTM, 6 for the Transformer)")->check(CLI::Range(1, 64));
    cmd.add_option("--hidden", f.hidden, "LSTM size")->check(CLI::Range(1, 8192))->capture_default_str();
    cmd.add_option("--vocab", f.vocab, "Vocabulary size (default 358 for the LSTM, 500 for the Transformer)")
        ->check(CLI::Range(2, 1000000));
    cmd.add_option("--embed", f.embed, "Embedding size of the LSTM next-token model")->check(CLI::Range(1, 8192))
        ->capture_default_str();
    cmd.add_option("--seq", f.seq, "Sequence length: the seed window, the LSTM chunk, the Transformer's context "
                                   "(default 100; 1024 for the Transformer)")
        ->check(CLI::Range(2, 100000));
    cmd.add_option("--dim", f.dim, "Transformer width")->check(CLI::Range(2, 8192))->capture_default_str();
    cmd.add_option("--heads", f.heads, "Transformer attention heads")->check(CLI::Range(1, 256))->capture_default_str();
    cmd.add_option("--ff", f.ff, "Transformer feed-forward width")->check(CLI::Range(1, 65536))->capture_default_str();
    cmd.add_flag("--no-bf16", f.no_bf16, "Transformer: float32 products even where the CPU has bfloat16");
    cmd.add_option("--threads", f.threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))->capture_default_str();
}

}  // namespace pianola::app
