// Compositions as the CLI shows them: load a model, compose, write the MIDI files, report.
// Shared by `generate` and `demo`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace pianola::app {

struct CompositionRequest {
    std::filesystem::path model;
    std::filesystem::path out;  // the MIDI file; with count > 1, piece k goes to OUT-k.mid (k from 1)
    int notes = 500;
    int count = 1;              // pieces; a next-token model composes them as one batch
    std::uint64_t seed = 1;     // piece k uses seed + k - 1
    double temperature = 0;
};

// The MIDI file of piece k (0-based) of `count`.
std::filesystem::path piece_path(const std::filesystem::path& out, int k, int count);

// Returns the MIDI files written, in piece order.
std::vector<std::filesystem::path> run_composition(const CompositionRequest& request);

}  // namespace pianola::app
