// The subcommands of the pianola CLI, one file each. Each adds itself to the app; its callback
// throws on failure and main turns the exception into one line and a non-zero exit.
#pragma once

#include <CLI/CLI.hpp>

namespace pianola::app {

void add_train_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_tokens_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_midi_command(CLI::App& app);
void add_baseline_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_render_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_serve_command(CLI::App& app);

// The subcommands of `pianola bench`, added to it by add_bench_command.
void add_bench_parse_command(CLI::App& bench);
void add_bench_train_command(CLI::App& bench);
void add_bench_generate_command(CLI::App& bench);
void add_bench_gemm_command(CLI::App& bench);
void add_bench_corpus_command(CLI::App& bench);

}  // namespace pianola::app
