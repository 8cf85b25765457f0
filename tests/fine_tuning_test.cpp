// Fine-tuning's parts: the weights of a trained network carried into one with a larger vocabulary
// (model/WeightTransfer), for both architectures, and the recipe it goes on with (train/FineTuning).
// The whole of `train --init` runs in cli_test.
#include <gtest/gtest.h>

#include "model/LmModel.h"
#include "model/ModelFile.h"
#include "model/NextTokenNetwork.h"
#include "model/WeightTransfer.h"
#include "train/FineTuning.h"
#include "train/LmRecipe.h"

using namespace pianola;

namespace {

const music::Vocabulary trained({"<piece>", "pitch:60", "pitch:62", "dur:12"});
const music::Vocabulary extended({"<piece>", "pitch:60", "pitch:61", "pitch:62", "dur:12", "dur:6"});

// Every tensor of `to` as `from` has it, the vocabulary's rows through old_id (new rows the mean).
void expect_transferred(torch::nn::Module& from, torch::nn::Module& to, const std::vector<std::int64_t>& old_id) {
    const auto trained_tensors = from.named_parameters();
    int vocabulary_tensors = 0;
    for (const auto& item : to.named_parameters()) {
        const torch::Tensor& source = trained_tensors[item.key()];
        const torch::Tensor& target = item.value();
        if (source.sizes() == target.sizes()) {
            EXPECT_TRUE(torch::equal(source, target)) << item.key();
            continue;
        }
        ++vocabulary_tensors;
        ASSERT_EQ(target.size(0), static_cast<std::int64_t>(old_id.size())) << item.key();
        for (std::size_t id = 0; id < old_id.size(); ++id) {
            const torch::Tensor expected = old_id[id] >= 0 ? source[old_id[id]] : source.mean(0);
            EXPECT_TRUE(torch::allclose(target[static_cast<std::int64_t>(id)], expected)) << item.key() << " row " << id;
        }
    }
    EXPECT_GE(vocabulary_tensors, 2);  // the embedding and the output layer, at least
}

}  // namespace

TEST(WeightTransfer, MapsTokensToTheirNewIds) {
    const std::vector<std::int64_t> old_id = model::old_ids(trained, extended);
    // Sorted: "<piece>" < "dur:12" < "dur:6" < "pitch:60" < "pitch:61" < "pitch:62".
    EXPECT_EQ(old_id, (std::vector<std::int64_t>{trained.id("<piece>"), trained.id("dur:12"), -1, trained.id("pitch:60"), -1,
                                                 trained.id("pitch:62")}));
    EXPECT_THROW(model::old_ids(extended, trained), std::invalid_argument);  // a trained token would be lost
}

TEST(WeightTransfer, CarriesAnLstmAndATransformerIntoALargerVocabulary) {
    const std::vector<std::int64_t> old_id = model::old_ids(trained, extended);
    const auto V_old = static_cast<std::int64_t>(trained.size()), V_new = static_cast<std::int64_t>(extended.size());
    torch::manual_seed(3);
    for (const model::NextTokenOptions& options :
         {model::NextTokenOptions{model::LmModelOptions{V_old, 4, 2, 8, 0.0, 0.0}},
          model::NextTokenOptions{model::TransformerOptions{V_old, 8, 2, 2, 16, 8, 0.0, false}}}) {
        const model::NextTokenModel from = model::make_next_token_model(options);
        model::NextTokenOptions larger = options;
        std::visit([&](auto& o) { o.vocab = V_new; }, larger);
        const model::NextTokenModel to = model::make_next_token_model(larger);
        model::transfer_weights(*from, *to, old_id);
        expect_transferred(*from, *to, old_id);

        // The same tokens read alike: the logits of the trained tokens after "<piece> pitch:60" agree.
        from->eval();
        to->eval();
        torch::NoGradGuard no_grad;
        const auto ids = [](const music::Vocabulary& v) { return torch::tensor({v.id("<piece>"), v.id("pitch:60")}).view({1, 2}); };
        const torch::Tensor before = std::get<0>(from->forward(ids(trained)))[0][1];  // (V_old)
        const torch::Tensor after = std::get<0>(to->forward(ids(extended)))[0][1];    // (V_new)
        for (std::size_t id = 0; id < old_id.size(); ++id) {
            if (old_id[id] >= 0) {
                EXPECT_NEAR(after[static_cast<std::int64_t>(id)].item<float>(), before[old_id[id]].item<float>(), 1e-5);
            }
        }
    }
    // A network of another size cannot take the weights.
    const model::NextTokenModel small = model::make_next_token_model(model::LmModelOptions{V_old, 4, 1, 8, 0.0, 0.0});
    const model::NextTokenModel wide = model::make_next_token_model(model::LmModelOptions{V_new, 4, 1, 16, 0.0, 0.0});
    EXPECT_THROW(model::transfer_weights(*small, *wide, old_id), std::invalid_argument);
}

TEST(FineTuning, GoesOnWithTheBaseNetworkAtAThirdOfItsLearningRate) {
    const train::LmRecipe base = train::lm_recipe("default", "transformer");
    model::ModelInfo info;
    info.options = model::network_options(base.model);
    info.window = base.seq;
    info.hyper = train::to_json(base);
    const train::LmRecipe tuned = train::fine_tuning_recipe(info);
    EXPECT_EQ(tuned.preset, "fine-tune");
    EXPECT_EQ(train::network_description(tuned.model), train::network_description(base.model));
    EXPECT_EQ(tuned.seq, base.seq);
    EXPECT_EQ(tuned.batch, base.batch);
    EXPECT_EQ(tuned.warmup, base.warmup);
    EXPECT_DOUBLE_EQ(tuned.learning_rate, base.learning_rate / 3);
    EXPECT_EQ(tuned.patience, 2);
    info.options = model::SeedModelOptions{};
    EXPECT_THROW(train::fine_tuning_recipe(info), std::invalid_argument);
}
