#include "train/SeedRecipe.h"

#include <stdexcept>

namespace pianola::train {

static std::vector<SeedRecipe> presets() {
    SeedRecipe seed{"seed", {0, 3, 512, 256, 0.3}, 100, 128, 200, 1e-3};
    SeedRecipe small{"small", {0, 2, 128, 128, 0.3}, 32, 64, 30, 2e-3};
    SeedRecipe tiny{"tiny", {0, 1, 32, 32, 0.0}, 8, 32, 4, 1e-2};
    return {seed, small, tiny};
}

SeedRecipe seed_recipe(std::string_view preset) {
    for (const SeedRecipe& recipe : presets())
        if (recipe.preset == preset) return recipe;
    std::string known;
    for (const std::string& name : seed_preset_names()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown preset '" + std::string(preset) + "' (known: " + known + ")");
}

std::vector<std::string> seed_preset_names() {
    std::vector<std::string> names;
    for (const SeedRecipe& recipe : presets()) names.push_back(recipe.preset);
    return names;
}

nlohmann::json to_json(const SeedRecipe& r) {
    return {{"preset", r.preset},   {"layers", r.model.layers},   {"hidden", r.model.hidden},
            {"dense", r.model.dense}, {"dropout", r.model.dropout}, {"window", r.window},
            {"batch", r.batch},     {"epochs", r.epochs},         {"learning_rate", r.learning_rate},
            {"optimizer", "rmsprop"}, {"rho", 0.9},               {"epsilon", 1e-7}};
}

}  // namespace pianola::train
