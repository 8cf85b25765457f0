#include "train/LmRecipe.h"

#include "train/PresetLookup.h"

namespace pianola::train {

static std::vector<LmRecipe> presets() {
    LmRecipe standard;
    standard.preset = "default";
    standard.model = {0, 64, 2, 256, 0.3, 0.3};
    standard.seq = 64;
    standard.batch = 16;
    standard.learning_rate = 3e-3;
    LmRecipe tiny;
    tiny.preset = "tiny";
    tiny.model = {0, 16, 1, 32, 0.0, 0.0};
    tiny.seq = 16;
    tiny.batch = 4;
    tiny.epochs = 6;
    tiny.learning_rate = 1e-2;
    return {standard, tiny};
}

LmRecipe lm_recipe(std::string_view preset) { return find_preset(presets(), preset); }

std::vector<std::string> lm_preset_names() { return preset_names(presets()); }

nlohmann::json to_json(const LmRecipe& r) {
    return {{"preset", r.preset},       {"embed", r.model.embed},         {"layers", r.model.layers},
            {"hidden", r.model.hidden}, {"dropout", r.model.dropout},     {"output_dropout", r.model.output_dropout}, {"seq", r.seq},
            {"batch", r.batch},         {"epochs", r.epochs},             {"learning_rate", r.learning_rate},
            {"optimizer", "adamw"},     {"weight_decay", r.weight_decay}, {"clip_norm", r.clip_norm},
            {"lr_decay", r.lr_decay},   {"patience", r.patience},         {"transpose", r.transpose},
            {"val_split", r.val_split}};
}

}  // namespace pianola::train
