#include "train/SeedRecipe.h"

#include "train/PresetLookup.h"

namespace pianola::train {

static std::vector<SeedRecipe> presets() {
    SeedRecipe seed{"seed", {0, 3, 512, 256, 0.3}, 100, 128, 200, 1e-3};
    SeedRecipe small{"seed-small", {0, 2, 128, 128, 0.3}, 32, 64, 30, 2e-3};
    SeedRecipe tiny{"seed-tiny", {0, 1, 32, 32, 0.0}, 8, 32, 4, 1e-2};
    return {seed, small, tiny};
}

SeedRecipe seed_recipe(std::string_view preset) { return find_preset(presets(), preset); }

std::vector<std::string> seed_preset_names() { return preset_names(presets()); }

nlohmann::json to_json(const SeedRecipe& r) {
    return {{"preset", r.preset},   {"layers", r.model.layers},   {"hidden", r.model.hidden},
            {"dense", r.model.dense}, {"dropout", r.model.dropout}, {"window", r.window},
            {"batch", r.batch},     {"epochs", r.epochs},         {"learning_rate", r.learning_rate},
            {"optimizer", "rmsprop"}, {"rho", 0.9},               {"epsilon", 1e-7}};
}

}  // namespace pianola::train
