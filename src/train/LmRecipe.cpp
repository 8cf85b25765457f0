#include "train/LmRecipe.h"

#include <stdexcept>

#include <fmt/core.h>

#include "runtime/Bf16Products.h"
#include "train/PresetLookup.h"

namespace pianola::train {

static std::vector<LmRecipe> lstm_presets() {
    LmRecipe standard;
    standard.preset = "default";
    standard.model = model::LmModelOptions{0, 64, 2, 256, 0.3, 0.3};
    standard.seq = 64;
    standard.batch = 16;
    standard.learning_rate = 3e-3;
    LmRecipe tiny;
    tiny.preset = "tiny";
    tiny.model = model::LmModelOptions{0, 16, 1, 32, 0.0, 0.0};
    tiny.seq = 16;
    tiny.batch = 4;
    tiny.epochs = 6;
    tiny.learning_rate = 1e-2;
    return {standard, tiny};
}

static std::vector<LmRecipe> transformer_presets() {
    LmRecipe standard;
    standard.preset = "default";
    standard.model = model::TransformerOptions{0, 256, 4, 4, 1024, 1024, 0.1, true};
    standard.seq = 1024;
    standard.batch = 8;
    standard.learning_rate = 1e-3;
    standard.warmup = 100;
    LmRecipe tiny;
    tiny.preset = "tiny";
    tiny.model = model::TransformerOptions{0, 16, 1, 2, 32, 16, 0.0, true};
    tiny.seq = 16;
    tiny.batch = 4;
    tiny.epochs = 6;
    tiny.learning_rate = 1e-2;
    return {standard, tiny};
}

std::vector<std::string> architecture_names() { return {"lstm", "transformer"}; }

std::string architecture_name(const model::NextTokenOptions& options) {
    return std::holds_alternative<model::LmModelOptions>(options) ? "lstm" : "transformer";
}

std::string network_description(const model::NextTokenOptions& options) {
    if (const auto* t = std::get_if<model::TransformerOptions>(&options))
        return fmt::format("{}x{} Transformer, {} heads, feed-forward {}, context {}, dropout {}, {} products",
                           t->layers, t->dim, t->heads, t->ff, t->context, t->dropout,
                           t->bf16 && cpu_has_bf16() ? "bfloat16" : "float32");
    const auto& o = std::get<model::LmModelOptions>(options);
    return fmt::format("embedding {}, {}x{} LSTM, dropout {}/{}", o.embed, o.layers, o.hidden, o.dropout, o.output_dropout);
}

LmRecipe lm_recipe(std::string_view preset, std::string_view architecture) {
    if (architecture == "lstm") return find_preset(lstm_presets(), preset);
    if (architecture == "transformer") return find_preset(transformer_presets(), preset);
    throw std::invalid_argument("unknown architecture '" + std::string(architecture) + "' (known: lstm, transformer)");
}

std::vector<std::string> lm_preset_names() { return preset_names(lstm_presets()); }

static nlohmann::json to_json(const model::NextTokenOptions& options) {
    if (const auto* t = std::get_if<model::TransformerOptions>(&options))
        return {{"arch", "transformer"}, {"dim", t->dim},         {"layers", t->layers}, {"heads", t->heads},
                {"ff", t->ff},           {"context", t->context}, {"dropout", t->dropout}, {"bf16", t->bf16}};
    const auto& o = std::get<model::LmModelOptions>(options);
    return {{"arch", "lstm"},         {"embed", o.embed},     {"layers", o.layers},
            {"hidden", o.hidden},     {"dropout", o.dropout}, {"output_dropout", o.output_dropout}};
}

nlohmann::json to_json(const LmRecipe& r) {
    nlohmann::json j = to_json(r.model);
    j.update({{"preset", r.preset},       {"seq", r.seq},           {"batch", r.batch},
              {"epochs", r.epochs},       {"learning_rate", r.learning_rate}, {"warmup", r.warmup},
              {"optimizer", "adamw"},     {"weight_decay", r.weight_decay}, {"clip_norm", r.clip_norm},
              {"lr_decay", r.lr_decay},   {"patience", r.patience}, {"transpose", r.transpose},
              {"val_split", r.val_split}, {"fill_rate", r.fill_rate}});
    return j;
}

}  // namespace pianola::train
