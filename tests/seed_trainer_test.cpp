// The seed recipe learns: on a sequence a small network can memorize, the tiny preset's loss
// falls, the best model is written, and the same seed gives the same model.
#include <gtest/gtest.h>

#include "TestFiles.h"
#include "io/AtomicFile.h"
#include "model/ModelFile.h"
#include "train/SeedTrainer.h"
#include "train/WindowDataset.h"

using namespace pianola;

namespace {

music::Corpus cycling_corpus() {
    const std::vector<std::string> cycle = {"C4", "E4", "G4", "0.4.7", "D4", "F4", "A4"};
    music::Corpus corpus;
    std::vector<std::string> tokens;
    for (int i = 0; i < 70; ++i) tokens.insert(tokens.end(), cycle.begin(), cycle.end());
    corpus.add_piece("cycle.mid", tokens);
    return corpus;
}

train::TrainJob tiny_job(const std::filesystem::path& out, std::vector<double>* losses) {
    train::SeedRecipe recipe = train::seed_recipe("seed-tiny");
    recipe.epochs = 25;
    return {out, recipe, 7, 0, nullptr, [losses](const train::EpochReport& r) { if (losses) losses->push_back(r.loss); }};
}

}  // namespace

TEST(WindowDataset, WindowsAreScaledIdsAndTargetIsTheNextToken) {
    const train::WindowDataset data({0, 1, 2, 3, 4, 5}, 3, 10);
    EXPECT_EQ(data.size(), 3);
    const train::WindowBatch b = data.batch(torch::tensor({2, 0}, torch::kInt64));
    EXPECT_TRUE(torch::allclose(b.inputs, torch::tensor({{0.2f, 0.3f, 0.4f}, {0.0f, 0.1f, 0.2f}})));
    EXPECT_EQ(b.targets[0].item<std::int64_t>(), 5);
    EXPECT_EQ(b.targets[1].item<std::int64_t>(), 3);
    EXPECT_THROW(train::WindowDataset({0, 1, 2}, 3, 10), std::invalid_argument);
}

TEST(SeedRecipe, SeedPresetIsTheOriginalDesign) {
    const train::SeedRecipe r = train::seed_recipe("seed");
    EXPECT_EQ(r.model.layers, 3);
    EXPECT_EQ(r.model.hidden, 512);
    EXPECT_EQ(r.model.dense, 256);
    EXPECT_DOUBLE_EQ(r.model.dropout, 0.3);
    EXPECT_EQ(r.window, 100);
    EXPECT_EQ(r.batch, 128);
    EXPECT_EQ(r.epochs, 200);
    EXPECT_DOUBLE_EQ(r.learning_rate, 1e-3);
    EXPECT_THROW(train::seed_recipe("huge"), std::invalid_argument);
}

TEST(SeedTrainer, TinyPresetLossFallsOnALearnableSequence) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus();
    const train::TrainingSet set = train::make_training_set(corpus);
    std::vector<double> losses;
    const train::TrainSummary s = train::train_seed(corpus, set, tiny_job(dir / "m.pianola", &losses));
    ASSERT_EQ(losses.size(), 25u);
    EXPECT_EQ(s.epochs, 25);
    EXPECT_LT(losses.back(), 0.5 * losses.front()) << "first " << losses.front() << " last " << losses.back();
    EXPECT_DOUBLE_EQ(s.best_loss, *std::min_element(losses.begin(), losses.end()));
    const model::LoadedModel loaded = model::load_model(dir / "m.pianola");
    EXPECT_EQ(loaded.info.training["epochs"].get<int>(), s.best_epoch);
    EXPECT_EQ(loaded.info.vocabulary.size(), 7u);
}

TEST(SeedTrainer, SameSeedGivesTheSameModel) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus();
    const train::TrainingSet set = train::make_training_set(corpus);
    train::TrainJob job = tiny_job(dir / "a.pianola", nullptr);
    job.recipe.epochs = 3;
    train::train_seed(corpus, set, job);
    job.out = dir / "b.pianola";
    train::train_seed(corpus, set, job);
    EXPECT_EQ(read_file(dir / "a.pianola"), read_file(dir / "b.pianola"));
}

TEST(SeedTrainer, TimeBudgetStopsCleanlyWithAModelSaved) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus();
    const train::TrainingSet set = train::make_training_set(corpus);
    train::TrainJob job = tiny_job(dir / "m.pianola", nullptr);
    job.recipe.epochs = 100000;
    job.max_seconds = 0.5;
    const train::TrainSummary s = train::train_seed(corpus, set, job);
    EXPECT_TRUE(s.stopped_by_budget);
    EXPECT_LT(s.epochs, 100000);
    EXPECT_NO_THROW(model::load_model(dir / "m.pianola"));
}
