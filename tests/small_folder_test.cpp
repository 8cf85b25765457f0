// Honest about small folders: the overfitting sign is read from losses known by hand, shows when
// a model learns a few random pieces by heart, and stays quiet while a model learns a corpus it
// can generalize from. Also how the decoding calibration shares its budget and ranks its trials.
#include <gtest/gtest.h>

#include <random>

#include "TinyJob.h"
#include "compose/DecodingCalibration.h"
#include "model/ModelFile.h"
#include "train/LmTrainer.h"
#include "train/PieceSplit.h"
#include "train/SmallFolderCheck.h"

using namespace pianola;

namespace {

std::vector<train::EpochLosses> losses(const std::vector<std::pair<double, double>>& train_validation) {
    std::vector<train::EpochLosses> out;
    for (const auto& [t, v] : train_validation) out.push_back({static_cast<int>(out.size()) + 1, t, v});
    return out;
}

const std::string model_file = testing::TempDir() + "small_folder.pianola";

// The epochs' losses of a tiny model trained on `corpus`, 2 of its pieces held out; the model is
// written to model_file.
std::vector<train::EpochLosses> trained(const music::Corpus& corpus, int epochs) {
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(corpus.pieces.size(), 0.2, 1), 0);
    train::LmJob job = fixtures::tiny_job(model_file);
    std::get<model::LmModelOptions>(job.recipe.model).hidden = 256;
    job.recipe.epochs = epochs;
    job.recipe.patience = epochs;
    job.recipe.lr_decay = 1;  // memorizing goes on at full speed after validation's best
    job.recipe.transpose = 0;
    std::vector<train::EpochLosses> out;
    job.on_epoch = [&](const train::EpochReport& r) { out.push_back({r.epoch, r.loss, r.validation->nats_per_token()}); };
    train::train_lm(set, job);
    return out;
}

music::Corpus corpus_of(int pieces, int tokens, bool random) {
    const std::vector<std::string> notes = {"C4", "D4", "E4", "F4", "G4", "A4", "B4", "C5"};
    std::mt19937 rng(3);
    music::Corpus corpus;
    for (int p = 0; p < pieces; ++p) {
        std::vector<std::string> piece;
        for (int i = 0; i < tokens; ++i) piece.push_back(notes[random ? rng() % notes.size() : static_cast<std::size_t>(i + p) % notes.size()]);
        corpus.add_piece("piece" + std::to_string(p) + ".mid", piece);
    }
    return corpus;
}

}  // namespace

TEST(SmallFolderCheck, ValidationRisingFarAboveFallingTraining) {
    // Best at epoch 2 (1.9), then 2.0 and 2.2 while training falls to 1.5: 1.5 <= 0.7 x 2.2.
    const auto sign = train::overfitting(losses({{2.5, 2.4}, {2.0, 1.9}, {1.7, 2.0}, {1.5, 2.2}}));
    ASSERT_TRUE(sign);
    EXPECT_EQ(sign->best.epoch, 2);
    EXPECT_EQ(sign->now.epoch, 4);
    // Converging: validation rises a little, but training stays near it.
    EXPECT_FALSE(train::overfitting(losses({{2.5, 2.4}, {2.0, 1.9}, {1.9, 1.95}, {1.85, 1.97}})));
    // One epoch up is noise; a fall in between is not a rise.
    EXPECT_FALSE(train::overfitting(losses({{2.5, 2.4}, {2.0, 1.9}, {1.5, 2.2}})));
    EXPECT_FALSE(train::overfitting(losses({{2.5, 2.4}, {2.0, 1.9}, {1.5, 2.3}, {1.4, 2.2}})));
    EXPECT_FALSE(train::overfitting({}));
}

TEST(SmallFolderCheck, ShowsWhenAModelLearnsAFewRandomPiecesByHeart) {
    const std::vector<train::EpochLosses> epochs = trained(corpus_of(5, 60, true), 60);
    bool shown = false;
    for (std::size_t e = 1; e <= epochs.size() && !shown; ++e)
        shown = train::overfitting({epochs.begin(), epochs.begin() + static_cast<std::ptrdiff_t>(e)}).has_value();
    EXPECT_TRUE(shown) << "last epoch: training " << epochs.back().train << ", validation " << epochs.back().validation;

    // Some of its pieces (the file keeps the best validation, before the pieces were learned by
    // heart), composed without the guard as the calibration measures them for train's other warning,
    // copy runs longer than any held-out piece shares with the training pieces. Under the guard
    // none could: it stops every run at the held-out median.
    model::LoadedModel model = model::load_model(model_file);
    const compose::DecodingCalibration c = compose::calibrate_decoding(model, 0.8, 1e9);
    EXPECT_GT(c.copying, 0) << "of " << c.pieces << " pieces, none copies over " << c.longest_human_copy << " tokens";
    EXPECT_LE(c.copying, c.pieces);
    EXPECT_EQ(c.tried.size(), c.planned) << "an unbounded budget runs the whole plan";

    // A budget the first trial spends alone: that trial, the same as the whole plan's first.
    const compose::DecodingCalibration quick = compose::calibrate_decoding(model, 0.8, 0);
    EXPECT_EQ(quick.planned, c.planned);
    ASSERT_EQ(quick.tried.size(), 1u);
    EXPECT_EQ(quick.tried[0].top_p, c.tried[0].top_p);
    EXPECT_EQ(quick.tried[0].distance.total, c.tried[0].distance.total);
    EXPECT_EQ(quick.chosen.top_p, quick.tried[0].top_p);
}

TEST(DecodingCalibration, ABudgetSharesTrialsAmongStagesByTheirSizes) {
    const std::vector<std::size_t> sizes{6, 15, 3, 3};
    EXPECT_EQ(compose::stage_quotas(sizes, 27), sizes);
    EXPECT_EQ(compose::stage_quotas(sizes, 100), sizes);
    EXPECT_EQ(compose::stage_quotas(sizes, 0), (std::vector<std::size_t>{0, 0, 0, 0}));
    EXPECT_EQ(compose::stage_quotas(sizes, 9), (std::vector<std::size_t>{2, 5, 1, 1}));
    // 10 x (6, 15, 3, 3) / 27 = 2.2, 5.6, 1.1, 1.1: the largest remainder takes the tenth.
    EXPECT_EQ(compose::stage_quotas(sizes, 10), (std::vector<std::size_t>{2, 6, 1, 1}));
    // 2 x ... = 0.44, 1.1, 0.22, 0.22.
    EXPECT_EQ(compose::stage_quotas(sizes, 2), (std::vector<std::size_t>{1, 1, 0, 0}));
    EXPECT_EQ(compose::stage_quotas({0, 4}, 1), (std::vector<std::size_t>{0, 1}));
}

TEST(DecodingCalibration, PiecesThatRepeatMoreThanPeopleRankAfterThoseThatDoNot) {
    const auto pieces = [](const std::vector<double>& distinct_runs) {
        std::vector<eval::MusicStats> out(distinct_runs.size());
        for (std::size_t i = 0; i < out.size(); ++i) out[i].distinct_4grams = distinct_runs[i];
        return out;
    };
    // The human median is 0.995 although two of the five repeat a lot: composed pieces may repeat
    // down to a median of 0.845.
    const std::vector<eval::MusicStats> human = pieces({1, 0.39, 0.995, 0.5, 1});
    EXPECT_TRUE(compose::repeats_more_than(pieces({0.65, 0.7, 0.6}), human));
    EXPECT_TRUE(compose::repeats_more_than(pieces({0.84, 0.9, 0.3}), human));
    EXPECT_FALSE(compose::repeats_more_than(pieces({0.86, 0.9, 0.3}), human));
    EXPECT_FALSE(compose::repeats_more_than(pieces({1, 1, 1}), human)) << "repeating less is the distance's to judge";
    EXPECT_FALSE(compose::repeats_more_than({}, human));
    EXPECT_FALSE(compose::repeats_more_than(pieces({0.2}), {}));

    compose::DecodingTrial near, far, nearest_repeating;
    near.distance.total = 0.30;
    far.distance.total = 0.40;
    nearest_repeating.distance.total = 0.28;
    nearest_repeating.repeats_more = true;
    EXPECT_TRUE(compose::ranks_before(near, far));
    EXPECT_FALSE(compose::ranks_before(far, near));
    EXPECT_TRUE(compose::ranks_before(far, nearest_repeating));
    EXPECT_FALSE(compose::ranks_before(nearest_repeating, far));
    compose::DecodingTrial farther_repeating = far;
    farther_repeating.repeats_more = true;
    EXPECT_TRUE(compose::ranks_before(nearest_repeating, farther_repeating));
}

TEST(SmallFolderCheck, QuietWhileTheHeldOutPiecesAreLearnedToo) {
    const std::vector<train::EpochLosses> epochs = trained(corpus_of(6, 120, false), 20);
    for (std::size_t e = 1; e <= epochs.size(); ++e)
        EXPECT_FALSE(train::overfitting({epochs.begin(), epochs.begin() + static_cast<std::ptrdiff_t>(e)})) << "epoch " << e;
    EXPECT_LT(epochs.back().validation, epochs.front().validation);
}
