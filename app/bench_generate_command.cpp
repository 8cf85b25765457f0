// `pianola bench generate`: generation speed on random weights, as one JSON line with the fields of
// the peer's generate (`../shared/peers/seed_torch.py`; `transformer_torch.py` for --arch
// transformer), so the two run side by side with the same arguments. --mode incremental carries
// the network's state (an LSTM's, a Transformer's key/value cache), one step per note
// (compose/LmComposer's loop, K pieces as one batch with --count); --mode window re-runs the seed
// design's 100-token window per note (compose/SeedComposer's loop). Both take the argmax.
#include <random>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "BenchModelFlags.h"
#include "Commands.h"
#include "ComputeSetup.h"
#include "compose/LmComposer.h"
#include "compose/SeedComposer.h"
#include "model/SeedModel.h"
#include "music/Vocabulary.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchGenerateFlags {
    std::string mode = "incremental";
    BenchModelFlags model;
    int notes = 500, count = 1;
};

constexpr std::int64_t seed_dense = 256;  // the seed design's dense layer, fixed in the peer too

void run_bench_generate(BenchGenerateFlags f) {
    BenchModelFlags& m = f.model;
    m.resolve();
    if (f.mode == "window" && m.arch == "transformer")
        throw std::invalid_argument("--mode window is the seed design's LSTM; the Transformer steps with its cache");
    const std::int64_t V = *m.vocab, T = *m.seq;
    const ComputeInfo compute = setup_compute(m.threads);
    torch::manual_seed(0);
    double seconds = 0;
    if (f.mode == "window") {
        model::SeedModel net(model::SeedModelOptions{V, *m.layers, m.hidden, seed_dense, 0.3, m.lstm == "fused"});
        std::mt19937_64 rng(0);
        std::uniform_int_distribution<std::int64_t> token(0, V - 1);
        for (int k = 0; k < f.count; ++k) {
            std::vector<std::int64_t> primer(static_cast<std::size_t>(T));
            for (auto& id : primer) id = token(rng);
            const auto start = Clock::now();
            compose::extend_window(net, primer, T, V, f.notes, {}, rng);
            seconds += seconds_since(start);
        }
    } else {
        const model::NextTokenModel net = model::make_next_token_model(m.next_token_options(0.0));
        // Seed-style tokens: every token is a note, and only the piece start is never drawn.
        std::vector<std::string> tokens{std::string(music::piece_start_token)};
        for (std::int64_t v = 1; v < V; ++v) tokens.push_back(fmt::format("t{}", v));
        const music::Vocabulary vocabulary(tokens);
        const std::vector<std::int64_t> primer{vocabulary.id(music::piece_start_token)};
        const auto rules = [&](int notes) {
            compose::TokenRules piece(music::SeedTokenizer(), vocabulary);
            piece.begin({compose::PieceLength::Unit::notes, static_cast<double>(notes)}, 500000);
            return std::vector<compose::TokenRules>(static_cast<std::size_t>(f.count), piece);
        };
        std::vector<compose::CopyGuard> unguarded;
        compose::continue_from(*net, primer, rules(5), unguarded, {}, 0);  // first-touch of buffers and weights
        const auto start = Clock::now();
        compose::continue_from(*net, primer, rules(f.notes), unguarded, {}, 0);
        seconds = seconds_since(start);
    }
    const double notes = static_cast<double>(f.notes) * f.count;
    nlohmann::json line = {{"peer", "pianola"},    {"arch", m.arch},  {"mode", f.mode},
                           {"notes", f.notes},     {"count", f.count}, {"sec", seconds},
                           {"notes_per_s", notes / seconds}, {"layers", *m.layers}, {"vocab", V},
                           {"threads", compute.threads}};
    if (m.arch == "transformer") line.update({{"dim", m.dim}, {"heads", m.heads}, {"ff", m.ff}, {"context", T}});
    else line.update({{"hidden", m.hidden}, {"lstm", m.lstm}});
    fmt::print("{}\n", line.dump());
}

}  // namespace

void add_bench_generate_command(CLI::App& bench) {
    auto f = std::make_shared<BenchGenerateFlags>();
    CLI::App* cmd = bench.add_subcommand(
        "generate", "Notes per second on random weights, comparable with seed_torch.py generate.");
    cmd->add_option("--mode", f->mode, "incremental: state carried, one step per note; window: the seed design")
        ->check(CLI::IsMember({"incremental", "window"}))->capture_default_str();
    cmd->add_option("--notes", f->notes, "Notes per piece")->check(CLI::Range(1, 1000000))->capture_default_str();
    cmd->add_option("--count", f->count, "Pieces; incremental mode runs them as one batch")
        ->check(CLI::Range(1, 4096))->capture_default_str();
    add_bench_model_flags(*cmd, f->model,
                          "Window mode: fused (pianola's LSTM) or stock (libtorch's) forward; incremental mode "
                          "always steps with model/StepProduct");
    cmd->callback([f] { run_bench_generate(*f); });
}

}  // namespace pianola::app
