// `pianola bench`: pianola measuring its own speed, one JSON line per measurement, so that a
// script can set it beside the peers in ../shared/peers in the same session. It measures; it
// does not judge the figures.
#include "Commands.h"

namespace pianola::app {

void add_bench_command(CLI::App& app) {
    CLI::App* bench = app.add_subcommand("bench", "Measure pianola's own speed.");
    bench->require_subcommand(1);
    add_bench_parse_command(*bench);
    add_bench_train_command(*bench);
    add_bench_generate_command(*bench);
    add_bench_gemm_command(*bench);
    add_bench_corpus_command(*bench);
}

}  // namespace pianola::app
