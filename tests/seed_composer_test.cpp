// Seed generation: the asked number of onsets, half a beat apart, on piano at 120 BPM; the same
// seed gives the same piece.
#include <gtest/gtest.h>

#include <set>

#include "TestFiles.h"
#include "compose/SeedComposer.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "midi/TempoMap.h"
#include "music/Score.h"
#include "train/SeedTrainer.h"

using namespace pianola;

namespace {

std::filesystem::path trained_tiny_model(const fixtures::TempDir& dir) {
    music::Corpus corpus;
    corpus.add_piece("a.mid", {"C4", "D4", "E4", "0.4.7", "G4", "A4", "B4", "C5", "2.5.9", "E5", "F#4"});
    const train::TrainingSet set = train::make_training_set(corpus);
    train::SeedRecipe recipe = train::seed_recipe("seed-tiny");
    recipe.epochs = 2;
    recipe.batch = 2;
    const auto path = dir / "m.pianola";
    train::train_seed(corpus, set, {path, recipe, 3, 0, nullptr, nullptr});
    return path;
}

}  // namespace

TEST(SeedComposer, WritesTheAskedNumberOfOnsetsHalfABeatApart) {
    fixtures::TempDir dir;
    model::LoadedModel model = model::load_model(trained_tiny_model(dir));
    const compose::SeedPiece piece = compose::compose_seed(model, 37, 5);
    ASSERT_EQ(piece.tokens.size(), 37u);
    EXPECT_EQ(piece.primer.size(), 8u);
    midi::write_midi_file(dir / "out.mid", music::midi_from_score(compose::seed_score(piece.tokens), 0));

    const midi::MidiFile file = midi::read_midi_file(dir / "out.mid");
    const music::Score score = music::score_from_midi(file);
    std::set<std::uint32_t> onsets;
    for (const music::Note& n : score.notes) {
        onsets.insert(n.start_tick);
        EXPECT_EQ(n.end_tick - n.start_tick, file.ticks_per_quarter() / 2u);
        EXPECT_EQ(n.program, 0);
    }
    ASSERT_EQ(onsets.size(), 37u);
    EXPECT_EQ(*onsets.rbegin(), 36u * file.ticks_per_quarter() / 2u);
    EXPECT_DOUBLE_EQ(midi::TempoMap(file).seconds_at(*onsets.rbegin()), 36 * 0.25);
}

TEST(SeedComposer, SameSeedSamePieceAndNotesMustBePositive) {
    fixtures::TempDir dir;
    model::LoadedModel model = model::load_model(trained_tiny_model(dir));
    EXPECT_EQ(compose::compose_seed(model, 20, 9).tokens, compose::compose_seed(model, 20, 9).tokens);
    EXPECT_EQ(compose::compose_seed(model, 20, 9).primer, compose::compose_seed(model, 20, 9).primer);
    EXPECT_THROW(compose::compose_seed(model, 0, 9), std::invalid_argument);
}

TEST(SeedComposer, TemperatureSamplesVariedTokensReproducibly) {
    fixtures::TempDir dir;
    model::LoadedModel model = model::load_model(trained_tiny_model(dir));
    const compose::SeedPiece argmax = compose::compose_seed(model, 60, 9, {0.0});
    const compose::SeedPiece sampled = compose::compose_seed(model, 60, 9, {1.0});
    EXPECT_EQ(std::set<std::string>(argmax.tokens.begin(), argmax.tokens.end()).size(), 1u)
        << "two epochs of training: the argmax is expected to repeat one token";
    EXPECT_GT(std::set<std::string>(sampled.tokens.begin(), sampled.tokens.end()).size(), 3u);
    EXPECT_EQ(sampled.tokens, compose::compose_seed(model, 60, 9, {1.0}).tokens);
    EXPECT_THROW(compose::compose_seed(model, 5, 9, {-1.0}), std::invalid_argument);
}
