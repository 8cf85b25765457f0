// LmRecipe: every hyper-parameter of next-token training and its named presets, per architecture
// (`--arch lstm` or `transformer`). `default` is what `pianola train` uses without --preset (sizes
// chosen by measurement, see the README); `tiny` is the same recipe scaled down for tests. The seed
// design's 3x512 network is `--layers 3 --hidden 512` on top of an LSTM preset. Flags override
// single fields after the preset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/NextTokenNetwork.h"

namespace pianola::train {

struct LmRecipe {
    std::string preset;
    model::NextTokenOptions model;  // the architecture and its sizes; vocab is set from the data
    std::int64_t seq = 64;          // T: tokens per chunk; an LSTM carries its state across chunks
    std::int64_t batch = 16;        // B: parallel rows of the stream
    int epochs = 60;                // the most; early stopping usually ends sooner
    double learning_rate = 3e-3;    // AdamW
    std::int64_t warmup = 0;        // steps over which the learning rate rises linearly from 0 (Transformers need it)
    double weight_decay = 0.01;
    double clip_norm = 1.0;         // on the global gradient norm
    double lr_decay = 0.5;          // the learning rate is multiplied by this after an epoch without progress
    int patience = 4;               // epochs without progress before training stops
    int transpose = 5;              // augmentation: pieces move by up to +-this many semitones
    double val_split = 0.1;         // share of pieces held out for validation
    // Share of training pieces laid out to fill in the middle each epoch (music/FillInTheMiddle), so
    // the model can write bars that lead into the bars after them (`generate --infill`). Off by
    // default: measured, it cost the pieces composed from the start (the README's "Infilling").
    double fill_rate = 0;
};

std::vector<std::string> architecture_names();           // "lstm", "transformer"
std::string architecture_name(const model::NextTokenOptions& options);
// "embedding 64, 2x256 LSTM, dropout 0.3/0.3", "4x256 Transformer, 4 heads, ...": for the training log.
std::string network_description(const model::NextTokenOptions& options);

// Throws std::invalid_argument naming the known architectures or presets.
LmRecipe lm_recipe(std::string_view preset, std::string_view architecture = "lstm");
std::vector<std::string> lm_preset_names();

nlohmann::json to_json(const LmRecipe& recipe);

}  // namespace pianola::train
