// One composition as the CLI shows it: load a model, compose, write the MIDI, report.
// Shared by `generate` and `demo`.
#pragma once

#include <cstdint>
#include <filesystem>

namespace pianola::app {

void run_composition(const std::filesystem::path& model_path, const std::filesystem::path& out, int notes,
                     std::uint64_t seed, double temperature);

}  // namespace pianola::app
