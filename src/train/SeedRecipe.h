// SeedRecipe: every hyper-parameter of the original design's training, and the named presets.
// `seed` is the original exactly; `seed-small` and `seed-tiny` are the same recipe scaled down,
// for quick comparisons (minutes) and for tests (seconds). Flags override single fields after the preset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/SeedModel.h"

namespace pianola::train {

struct SeedRecipe {
    std::string preset;
    model::SeedModelOptions model;  // vocab is set from the data
    std::int64_t window = 100;      // T
    std::int64_t batch = 128;       // B
    int epochs = 200;
    double learning_rate = 1e-3;    // RMSprop, with Keras' rho 0.9 and epsilon 1e-7
};

// Throws std::invalid_argument naming the known presets.
SeedRecipe seed_recipe(std::string_view preset);
std::vector<std::string> seed_preset_names();

nlohmann::json to_json(const SeedRecipe& recipe);

}  // namespace pianola::train
