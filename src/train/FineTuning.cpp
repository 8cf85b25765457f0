#include "train/FineTuning.h"

#include <stdexcept>

namespace pianola::train {

LmRecipe fine_tuning_recipe(const model::ModelInfo& base) {
    LmRecipe r;
    r.preset = "fine-tune";
    if (const auto* lstm = std::get_if<model::LmModelOptions>(&base.options)) r.model = *lstm;
    else if (const auto* transformer = std::get_if<model::TransformerOptions>(&base.options)) r.model = *transformer;
    else throw std::invalid_argument("a seed-design model cannot be fine-tuned: --init needs a next-token model");
    const nlohmann::json& h = base.hyper;
    r.seq = base.window;
    r.batch = h.value("batch", r.batch);
    r.epochs = h.value("epochs", r.epochs);
    r.learning_rate = h.value("learning_rate", r.learning_rate) * fine_tuning_learning_rate_share;
    r.warmup = h.value("warmup", r.warmup);
    r.weight_decay = h.value("weight_decay", r.weight_decay);
    r.clip_norm = h.value("clip_norm", r.clip_norm);
    r.lr_decay = h.value("lr_decay", r.lr_decay);
    r.patience = fine_tuning_patience;
    r.transpose = h.value("transpose", r.transpose);
    r.val_split = h.value("val_split", r.val_split);
    r.fill_rate = h.value("fill_rate", r.fill_rate);
    return r;
}

}  // namespace pianola::train
