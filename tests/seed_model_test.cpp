// The seed network's shapes, and the model file: a round trip keeps every weight, the vocabulary
// and the metadata; anything that is not an intact model file is refused with the file's name.
#include <gtest/gtest.h>

#include <fstream>

#include "TestFiles.h"
#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "model/ModelFile.h"

using namespace pianola;

namespace {

model::ModelInfo small_info() {
    model::ModelInfo info;
    info.preset = "test";
    info.options = model::SeedModelOptions{5, 2, 16, 8, 0.3};
    info.window = 4;
    info.vocabulary = music::Vocabulary({"C4", "D4", "E4", "0.4.7", "F4"});
    info.hyper = {{"batch", 2}};
    info.training = {{"epochs", 1}};
    info.corpus_ids = {0, 1, 2, 3, 4, 3, 2, 1};
    return info;
}

}  // namespace

TEST(SeedModel, MapsWindowsToOneLogitPerToken) {
    model::SeedModel net(model::SeedModelOptions{7, 3, 16, 8, 0.3});
    net->eval();
    const torch::Tensor logits = net->forward(torch::rand({5, 11}));
    EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{5, 7}));
}

TEST(ModelFile, RoundTripKeepsWeightsVocabularyAndMetadata) {
    fixtures::TempDir dir;
    model::ModelInfo info = small_info();
    model::SeedModel net(std::get<model::SeedModelOptions>(info.options));
    model::save_model(dir / "m.pianola", info, *net);

    model::LoadedModel loaded = model::load_model(dir / "m.pianola");
    EXPECT_EQ(loaded.info.vocabulary.tokens(), info.vocabulary.tokens());
    EXPECT_EQ(loaded.info.corpus_ids, info.corpus_ids);
    EXPECT_EQ(loaded.info.window, 4);
    EXPECT_EQ(std::get<model::SeedModelOptions>(loaded.info.options).layers, 2);
    model::SeedModel& restored_net = std::get<model::SeedModel>(loaded.net);
    EXPECT_EQ(loaded.info.hyper, info.hyper);
    EXPECT_EQ(music::tokenizer_name(loaded.info.tokenizer), "seed");
    const auto original = net->named_parameters(), restored = restored_net->named_parameters();
    ASSERT_EQ(original.size(), restored.size());
    for (const auto& p : original) EXPECT_TRUE(torch::equal(p.value(), restored[p.key()])) << p.key();
    net->eval();
    restored_net->eval();
    const torch::Tensor x = torch::rand({3, 4});
    EXPECT_TRUE(torch::equal(net->forward(x), restored_net->forward(x)));
}

TEST(ModelFile, RefusesFilesThatAreNotModels) {
    fixtures::TempDir dir;
    write_file_atomically(dir / "notes.txt", std::string_view("just some text, long enough to have a header"));
    try {
        model::load_model(dir / "notes.txt");
        FAIL() << "loaded a text file as a model";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("notes.txt"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("not a pianola model"), std::string::npos);
    }
    EXPECT_THROW(model::load_model(dir / "missing.pianola"), FileError);
}

TEST(ModelFile, RefusesEveryTruncation) {
    fixtures::TempDir dir;
    model::ModelInfo info = small_info();
    model::SeedModel net(std::get<model::SeedModelOptions>(info.options));
    model::save_model(dir / "m.pianola", info, *net);
    const std::vector<std::uint8_t> bytes = read_file(dir / "m.pianola");
    for (std::size_t keep : {std::size_t{0}, std::size_t{7}, std::size_t{15}, std::size_t{40}, bytes.size() / 2,
                             bytes.size() - 1}) {
        write_file_atomically(dir / "cut.pianola", std::span(bytes.data(), keep));
        EXPECT_THROW(model::load_model(dir / "cut.pianola"), FileError) << "kept " << keep << " bytes";
    }
}
