// ModelFile: a trained model as one file: weights, vocabulary, tokenizer and its options, the
// tempo to compose at, hyper-parameters, version, the training token ids (generation primes
// from them, the originality guard indexes them) and the held-out pieces' ids. Any network: the
// seed design's SeedModel, or a next-token model (the LSTM LmModel or the TransformerModel); the
// header's model.kind says which. Layout:
//   8 bytes "PIANOLA\n" | 8 bytes little-endian header length | JSON header | libtorch archive
// JSON keeps the metadata readable with `head -c`; the archive holds the tensors. Writes are
// atomic, so a run killed mid-save leaves the previous model intact.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/NextTokenNetwork.h"
#include "model/SeedModel.h"
#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::model {

using NetworkOptions = std::variant<SeedModelOptions, LmModelOptions, TransformerOptions>;
using Network = std::variant<SeedModel, NextTokenModel>;

// A fresh network with these options.
Network make_network(const NetworkOptions& options);
// A next-token network's options as the model file's.
NetworkOptions network_options(const NextTokenOptions& options);
torch::nn::Module& module_of(Network& net);

struct ModelInfo {
    music::Tokenizer tokenizer;         // decodes the model's tokens; files without one are seed models
    std::uint32_t tempo_us = 500000;    // the training corpus' median tempo: timed pieces play at it
    std::string preset;
    NetworkOptions options;
    std::int64_t window = 100;          // T: the seed window, or the LM's training chunk length
    music::Vocabulary vocabulary;
    nlohmann::json hyper;               // the full recipe it was trained with
    nlohmann::json training;            // what training did: epochs, loss, corpus size
    std::vector<std::int64_t> corpus_ids;  // the training tokens, pieces concatenated
    // The held-out (validation) pieces' tokens, concatenated, each behind a piece-start token: what
    // human pieces the model never saw share with its training set by chance sets the originality
    // guard's default. Empty in files written before the guard.
    std::vector<std::int64_t> held_out_ids;

    std::int64_t vocab() const;
};

// The most held-out tokens the measurements after training read (the piece memory's fit, the
// runs that set the guard's default): the first held-out pieces up to this many, at least one.
// A split draws the held-out pieces at random, so the first are a sample; a corpus of 100,000
// files holds 9 M held-out tokens, ff-piano and nottingham under 50,000 (read whole).
inline constexpr std::int64_t held_out_sample_tokens = 1 << 18;

// Whether the sample stops before a next held-out piece: `pieces_taken` pieces are in it and
// `tokens_with_next` counts their tokens and the next piece's.
inline bool held_out_sample_ends(std::size_t pieces_taken, std::int64_t tokens_with_next) {
    return pieces_taken > 0 && tokens_with_next > held_out_sample_tokens;
}

struct LoadedModel {
    ModelInfo info;
    Network net;
};

void save_model(const std::filesystem::path& path, const ModelInfo& info, torch::nn::Module& net);

// The header's "tokenizer_options": the timed tokenizer's grid, velocity levels and time tokens;
// empty for the seed tokenizer. make_tokenizer reads them back, and throws std::invalid_argument
// for an unknown name or options out of range.
nlohmann::json tokenizer_options(const music::Tokenizer& tokenizer);
music::Tokenizer make_tokenizer(std::string_view name, const nlohmann::json& options);

// Throws FileError naming the path for a missing file, a file that is not a pianola model,
// or a damaged one.
LoadedModel load_model(const std::filesystem::path& path);

}  // namespace pianola::model
