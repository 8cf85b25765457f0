// PresetLookup: finding a named preset among a recipe type's presets, shared by the seed and
// next-token recipes so both refuse an unknown name the same way, listing the known ones.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pianola::train {

template <typename Recipe>
std::vector<std::string> preset_names(const std::vector<Recipe>& presets) {
    std::vector<std::string> names;
    for (const Recipe& recipe : presets) names.push_back(recipe.preset);
    return names;
}

// Throws std::invalid_argument naming the known presets.
template <typename Recipe>
Recipe find_preset(const std::vector<Recipe>& presets, std::string_view name) {
    for (const Recipe& recipe : presets)
        if (recipe.preset == name) return recipe;
    std::string known;
    for (const std::string& preset : preset_names(presets)) known += (known.empty() ? "" : ", ") + preset;
    throw std::invalid_argument("unknown preset '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace pianola::train
