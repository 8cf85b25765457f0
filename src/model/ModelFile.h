// ModelFile: a trained model as one file: weights, vocabulary, tokenizer name, hyper-parameters,
// version, and the training token ids (generation primes from them). Either network: the seed
// design's SeedModel or the default LmModel; the header's model.kind says which. Layout:
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

#include "model/LmModel.h"
#include "model/SeedModel.h"
#include "music/SeedTokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::model {

using NetworkOptions = std::variant<SeedModelOptions, LmModelOptions>;
using Network = std::variant<SeedModel, LmModel>;

// A fresh network with these options.
Network make_network(const NetworkOptions& options);
torch::nn::Module& module_of(Network& net);

struct ModelInfo {
    std::string tokenizer{music::SeedTokenizer::name};
    std::string preset;
    NetworkOptions options;
    std::int64_t window = 100;          // T: the seed window, or the LM's training chunk length
    music::Vocabulary vocabulary;
    nlohmann::json hyper;               // the full recipe it was trained with
    nlohmann::json training;            // what training did: epochs, loss, corpus size
    std::vector<std::int64_t> corpus_ids;  // the training tokens, pieces concatenated

    std::int64_t vocab() const;
};

struct LoadedModel {
    ModelInfo info;
    Network net;
};

void save_model(const std::filesystem::path& path, const ModelInfo& info, torch::nn::Module& net);

// Throws FileError naming the path for a missing file, a file that is not a pianola model,
// or a damaged one.
LoadedModel load_model(const std::filesystem::path& path);

}  // namespace pianola::model
