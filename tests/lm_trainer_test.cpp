// Next-token training: the split keeps pieces whole, the stream feeds every token once per epoch
// with rows that continue from step to step, validation scores what it should, training learns
// a learnable corpus, and a stopped-then-resumed run ends with the same weights as an
// uninterrupted one; the training tests run for both architectures, the LSTM and the Transformer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>

#include "TestFiles.h"
#include "TinyJob.h"
#include "compose/LmComposer.h"
#include "io/FileError.h"
#include "model/ModelFile.h"
#include "runtime/Device.h"
#include "train/DataParallel.h"
#include "train/EpochStreams.h"
#include "train/GradientReducer.h"
#include "train/LmTrainer.h"
#include "train/PieceSplit.h"
#include "train/TrainingCheckpoint.h"
#include "train/Validation.h"

using namespace pianola;

namespace {

// Pieces that repeat one phrase, each starting at another point of it: a small LSTM learns it.
music::Corpus cycling_corpus(int pieces, int repeats) {
    const std::vector<std::string> cycle = {"C4", "E4", "G4", "0.4.7", "D4", "F4", "A4", "2.5.9"};
    music::Corpus corpus;
    for (int p = 0; p < pieces; ++p) {
        std::vector<std::string> tokens;
        for (int i = 0; i < repeats * static_cast<int>(cycle.size()); ++i)
            tokens.push_back(cycle[static_cast<std::size_t>(i + p) % cycle.size()]);
        corpus.add_piece("piece" + std::to_string(p) + ".mid", tokens);
    }
    return corpus;
}

std::vector<torch::Tensor> checkpoint_weights(const std::filesystem::path& path, const train::SequenceSet& set,
                                              const train::LmJob& job) {
    model::NextTokenOptions options = job.recipe.model;
    std::visit([&](auto& o) { o.vocab = static_cast<std::int64_t>(set.vocabulary.size()); }, options);
    const model::NextTokenModel net = model::make_next_token_model(options);
    torch::optim::AdamW optimizer(net->parameters());
    train::load_checkpoint(path, train::training_fingerprint(set, job), *net, optimizer);
    std::vector<torch::Tensor> weights;
    for (const torch::Tensor& p : net->parameters()) weights.push_back(p.detach().clone());
    return weights;
}

void set_dropout(train::LmRecipe& recipe, double dropout) {
    if (auto* lstm = std::get_if<model::LmModelOptions>(&recipe.model)) lstm->dropout = lstm->output_dropout = dropout;
    else std::get<model::TransformerOptions>(recipe.model).dropout = dropout;
}

class Architecture : public testing::TestWithParam<std::string> {};

}  // namespace

INSTANTIATE_TEST_SUITE_P(LmTrainer, Architecture, testing::Values("lstm", "transformer"));

TEST(PieceSplit, HoldsOutWholePiecesDeterministically) {
    const train::PieceSplit a = train::split_pieces(20, 0.1, 3), b = train::split_pieces(20, 0.1, 3);
    EXPECT_EQ(a.validation, b.validation);
    EXPECT_EQ(a.validation.size(), 2u);
    EXPECT_EQ(a.train.size(), 18u);
    std::set<std::size_t> all(a.train.begin(), a.train.end());
    all.insert(a.validation.begin(), a.validation.end());
    EXPECT_EQ(all.size(), 20u);
    EXPECT_NE(train::split_pieces(20, 0.1, 4).validation, a.validation);
    EXPECT_TRUE(train::split_pieces(5, 0.0, 1).validation.empty());
    EXPECT_EQ(train::split_pieces(3, 0.01, 1).validation.size(), 1u);  // some, however small the share
    EXPECT_EQ(train::split_pieces(1, 0.5, 1).train.size(), 1u);         // never all of them
    EXPECT_THROW(train::split_pieces(5, 1.0, 1), std::invalid_argument);
    EXPECT_THROW(train::split_pieces(0, 0.1, 1), std::invalid_argument);
}

TEST(SequenceSet, KeepsEveryTranspositionBehindAPieceStart) {
    music::Corpus corpus;
    corpus.add_piece("a.mid", {"C4", "0.4.7", "G9"});
    corpus.add_piece("b.mid", {"D4", "E4"});
    const train::SequenceSet set = train::make_sequence_set(corpus, {{0}, {1}}, 2);
    ASSERT_EQ(set.train.size(), 1u);
    EXPECT_EQ(set.train_shifts[0], (std::vector<int>{-2, -1, 0}));  // G9 + 1 is above MIDI's range
    EXPECT_TRUE(set.transposed(0, 1).empty());
    EXPECT_TRUE(set.transposed(0, 2).empty());
    const auto decode = [&](const train::TokenIds& ids) {
        std::vector<std::string> tokens;
        for (std::int64_t id : ids) tokens.push_back(set.vocabulary.token(id));
        return tokens;
    };
    EXPECT_EQ(decode(set.transposed(0, -2)), (std::vector<std::string>{"<piece>", "B-3", "10.2.5", "F9"}));
    EXPECT_EQ(decode(set.transposed(0, 0)), (std::vector<std::string>{"<piece>", "C4", "0.4.7", "G9"}));
    EXPECT_EQ(decode(set.train[0]), (std::vector<std::string>{"<piece>", "C4", "0.4.7", "G9"}));
    // The vocabulary holds what the pieces hold at the shifts that fit them, nothing more.
    EXPECT_EQ(set.vocabulary.tokens(), (std::vector<std::string>{"0.4.7", "10.2.5", "11.3.6", "<piece>",
                                                                 "B-3", "B3", "C4", "D4", "E4", "F#9", "F9", "G9"}));
    EXPECT_EQ(decode(set.validation[0]), (std::vector<std::string>{"<piece>", "D4", "E4"}));
    EXPECT_EQ(set.train_tokens(), 3);
    EXPECT_EQ(set.validation_tokens(), 2);
}

TEST(EpochStreams, EveryRowContinuesAndTargetsAreTheNextToken) {
    const music::Corpus corpus = cycling_corpus(6, 10);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(6, 0.0, 1), 2);
    const train::EpochStreams data(set, 4, 8, 9, 1);
    EXPECT_EQ(data.rows(), 4);
    EXPECT_EQ(data.chunk(), 8);
    EXPECT_EQ(data.steps(), (6 * 81 - 1) / 4 / 8);
    for (std::int64_t s = 0; s < data.steps(); ++s) {
        const train::StreamBatch b = data.batch(s);
        EXPECT_TRUE(torch::equal(b.inputs.slice(1, 1), b.targets.slice(1, 0, 7)));
        if (s + 1 < data.steps()) {
            EXPECT_TRUE(torch::equal(b.targets.select(1, 7), data.batch(s + 1).inputs.select(1, 0)));
        }
    }
    // The last target of a row is the first input of the next row: no prediction lost at the cuts.
    const std::int64_t last = data.steps() - 1;
    EXPECT_TRUE(torch::equal(data.batch(last).targets.select(1, 7).slice(0, 0, 3),
                             data.batch(0).inputs.select(1, 0).slice(0, 1, 4)));
    EXPECT_TRUE(torch::equal(train::EpochStreams(set, 4, 8, 9, 1).batch(2).inputs, data.batch(2).inputs));
    EXPECT_FALSE(torch::equal(train::EpochStreams(set, 4, 8, 9, 2).batch(2).inputs, data.batch(2).inputs));

    const train::EpochStreams short_stream(set, 1000, 100, 9, 1);  // fewer rows, then shorter chunks
    EXPECT_EQ(short_stream.rows(), (6 * 81 - 1) / 100);
    EXPECT_EQ(short_stream.steps(), 1);
}

TEST(LmModel, CarriedStateEqualsOneLongPass) {
    model::LmModel net(model::LmModelOptions{11, 6, 2, 10, 0.3, 0.3});
    net->eval();
    torch::NoGradGuard no_grad;
    const torch::Tensor x = torch::randint(0, 11, {3, 9}, torch::kInt64);
    auto [whole, whole_state] = net->forward(x);
    EXPECT_EQ(whole.sizes(), (std::vector<std::int64_t>{3, 9, 11}));
    auto [first, state] = net->forward(x.slice(1, 0, 4));
    auto [second, final_state] = net->forward(x.slice(1, 4), state);
    EXPECT_TRUE(torch::allclose(torch::cat({first, second}, 1), whole, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(std::get<0>(final_state), std::get<0>(whole_state), 1e-5, 1e-6));
}

// Pieces are scored longest first, a bounded number at a time (with chunks of 8,192 tokens, 4 rows a
// batch); every piece's scores still come back in its own place, as scoring it alone gives them.
TEST(Validation, BatchesOfPiecesGiveEachPieceItsOwnScores) {
    torch::manual_seed(2);
    model::LmModel net(model::LmModelOptions{7, 4, 1, 8, 0.0, 0.0});
    std::vector<train::TokenIds> pieces;
    for (int p = 0; p < 10; ++p) {
        train::TokenIds piece{0};
        for (int i = 0; i < 3 + (p * 7) % 11; ++i) piece.push_back(1 + (p + i * 3) % 6);
        pieces.push_back(piece);
    }
    const std::vector<std::vector<float>> together = train::token_nats(*net, pieces, 8192);
    ASSERT_EQ(together.size(), pieces.size());
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        const std::vector<float> alone = train::token_nats(*net, {pieces[p]}, 8192).front();
        ASSERT_EQ(together[p].size(), alone.size()) << p;
        for (std::size_t i = 0; i < alone.size(); ++i) EXPECT_NEAR(together[p][i], alone[i], 1e-5) << p << " " << i;
    }
}

TEST(Validation, ScoresEveryTokenOfEveryPieceOnce) {
    torch::manual_seed(1);
    model::LmModel net(model::LmModelOptions{7, 4, 1, 8, 0.0, 0.0});
    const std::vector<train::TokenIds> pieces = {{0, 3, 4, 5, 6, 1}, {0, 2}, {0, 6, 6, 5}};
    const eval::CrossEntropy batched = train::validate(*net, pieces, 2);
    EXPECT_EQ(batched.tokens, 5 + 1 + 3);
    double nats = 0;
    torch::NoGradGuard no_grad;
    net->eval();
    for (const train::TokenIds& piece : pieces) {
        const torch::Tensor ids = torch::tensor(piece, torch::kInt64).unsqueeze(0);
        auto [logits, state] = net->forward(ids.slice(1, 0, -1));
        nats += torch::nn::functional::cross_entropy(logits.squeeze(0), ids.squeeze(0).slice(0, 1),
                                                     torch::nn::functional::CrossEntropyFuncOptions().reduction(
                                                         torch::kSum))
                    .item<double>();
    }
    EXPECT_NEAR(batched.nats, nats, 1e-4);
}

TEST_P(Architecture, LearnsAPhraseAndWritesTheBestModel) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus(10, 12);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(10, 0.2, 1), 2);
    train::LmJob job = fixtures::tiny_job(dir / "m.pianola", GetParam());
    std::vector<double> validation;
    job.on_epoch = [&](const train::EpochReport& r) { validation.push_back(r.validation->bits_per_token()); };
    const train::TrainSummary s = train::train_lm(set, job);
    ASSERT_EQ(validation.size(), 6u);
    EXPECT_LT(validation.back(), 0.5 * validation.front());
    EXPECT_LT(s.best_validation->bits_per_token(), 1.0);  // a uniform guess over the vocabulary: > 4 bits
    EXPECT_TRUE(std::filesystem::exists(dir / "m.pianola"));
    EXPECT_TRUE(std::filesystem::exists(train::checkpoint_path(dir / "m.pianola")));

    model::LoadedModel model = model::load_model(dir / "m.pianola");
    ASSERT_TRUE(std::holds_alternative<model::NextTokenModel>(model.net));
    EXPECT_EQ(std::holds_alternative<model::TransformerOptions>(model.info.options), GetParam() == "transformer");
    EXPECT_EQ(model.info.training.at("epoch").get<int>(), s.best_epoch);
    const std::vector<std::string> tokens = fixtures::composed_tokens(model, 40, 1, 3, 0.0).at(0);
    ASSERT_EQ(tokens.size(), 40u);
    EXPECT_EQ(std::count(tokens.begin(), tokens.end(), std::string(music::piece_start_token)), 0);
    EXPECT_EQ(fixtures::composed_tokens(model, 40, 1, 3, 1.0), fixtures::composed_tokens(model, 40, 1, 3, 1.0));
    // A batch of four: piece k is the piece composed alone with seed 3 + k.
    const auto batch = fixtures::composed_tokens(model, 40, 4, 3, 1.0);
    ASSERT_EQ(batch.size(), 4u);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(batch[k], fixtures::composed_tokens(model, 40, 1, 3 + k, 1.0).at(0)) << k;
}

// On a machine whose libtorch has CUDA and sees a GPU (skipped elsewhere: Debian's has none), both
// architectures train there (the LSTM through libtorch's cuDNN layer, the Transformer's attention
// through the composed softmax) and leave a model file the CPU loads and scores as the training did.
TEST_P(Architecture, TrainsOnAGpuAndWritesAModelTheCpuLoads) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no GPU that libtorch can use";
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus(10, 12);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(10, 0.2, 1), 2);
    train::LmJob job = fixtures::tiny_job(dir / "m.pianola", GetParam());
    job.device = training_device("cuda");
    const train::TrainSummary s = train::train_lm(set, job);
    EXPECT_LT(s.best_validation->bits_per_token(), 1.0);
    model::LoadedModel model = model::load_model(dir / "m.pianola");
    model::NextTokenModelImpl& net = *std::get<model::NextTokenModel>(model.net);
    EXPECT_TRUE(net.parameters().front().is_cpu());
    EXPECT_NEAR(train::validate(net, set.validation, job.recipe.seq * 4).nats_per_token(),
                s.best_validation->nats_per_token(), 1e-3);
}

// The message `name` is refused with; "" when it is a device.
static std::string device_refusal(const std::string& name) {
    try {
        training_device(name);
        return "";
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
}

// `train --device`: named, or refused in one line saying what is missing.
TEST(Device, NamesTheDeviceOrSaysWhyNot) {
    EXPECT_EQ(training_device("cpu"), torch::Device(torch::kCPU));
    EXPECT_EQ(training_device("auto"),
              torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU));
    EXPECT_NE(device_refusal("gpu").find("--device gpu: not a device (cpu, cuda, cuda:N or auto)"), std::string::npos);
    if (!at::hasCUDA()) {
        for (const char* name : {"cuda", "cuda:0"})
            EXPECT_NE(device_refusal(name).find("built without CUDA"), std::string::npos) << name;
    } else if (!torch::cuda::is_available()) {
        EXPECT_NE(device_refusal("cuda").find("sees no GPU"), std::string::npos);
    } else {
        EXPECT_EQ(training_device("cuda"), torch::Device(torch::kCUDA, 0));
        EXPECT_NE(device_refusal("cuda:99").find("GPUs, from cuda:0"), std::string::npos);
    }
}

TEST(LmTrainer, StopsEarlyWhenValidationStopsImproving) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus(6, 4);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(6, 0.3, 1), 0);
    train::LmJob job = fixtures::tiny_job(dir / "m.pianola");
    job.recipe.epochs = 200;
    job.recipe.patience = 2;
    job.recipe.learning_rate = 0.3;  // far too high: validation gets worse soon
    const train::TrainSummary s = train::train_lm(set, job);
    EXPECT_TRUE(s.stopped_early);
    EXPECT_LT(s.epochs, 200);
    EXPECT_EQ(s.epochs, s.best_epoch + 2);
}

TEST_P(Architecture, StoppedAndResumedEqualsUninterrupted) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus(8, 10);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(8, 0.25, 1), 2);
    train::LmJob whole = fixtures::tiny_job(dir / "whole.pianola", GetParam());
    set_dropout(whole.recipe, 0.2);  // the generator must be restored too
    whole.recipe.warmup = 10;        // and the warm-up's position
    whole.recipe.epochs = 3;
    const train::TrainSummary uninterrupted = train::train_lm(set, whole);
    ASSERT_FALSE(uninterrupted.stopped_early);

    train::LmJob part = whole;
    part.out = dir / "part.pianola";
    part.max_steps = 7;  // mid-epoch
    EXPECT_TRUE(train::train_lm(set, part).stopped_by_budget);
    part.max_steps = 11;
    part.resume = true;
    EXPECT_TRUE(train::train_lm(set, part).stopped_by_budget);
    part.max_steps = 0;
    const train::TrainSummary resumed = train::train_lm(set, part);
    EXPECT_FALSE(resumed.stopped_by_budget);
    EXPECT_EQ(resumed.epochs, 3);

    const auto a = checkpoint_weights(train::checkpoint_path(whole.out), set, whole);
    const auto b = checkpoint_weights(train::checkpoint_path(part.out), set, part);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-5, 1e-6)) << i;
}

TEST(LmTrainer, RefusesToResumeAnotherTraining) {
    fixtures::TempDir dir;
    const music::Corpus corpus = cycling_corpus(4, 4);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(4, 0.25, 1), 0);
    train::LmJob job = fixtures::tiny_job(dir / "m.pianola");
    job.recipe.epochs = 1;
    job.resume = true;
    EXPECT_THROW(train::train_lm(set, job), FileError);  // nothing to resume yet
    job.resume = false;
    train::train_lm(set, job);
    job.resume = true;
    job.seed = 6;
    try {
        train::train_lm(set, job);
        FAIL() << "resumed a checkpoint of another seed";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("another training"), std::string::npos) << e.what();
    }
}

// Data-parallel processes each read their share of the rows of the one stream all of them cut.
TEST(EpochStreams, SharesAreTheRowsOfTheWholeStream) {
    const music::Corpus corpus = cycling_corpus(6, 10);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(6, 0.0, 1), 2);
    const train::EpochStreams whole(set, 4, 8, 9, 1);
    const train::EpochStreams first(set, 4, 8, 9, 1, {0, 2}), second(set, 4, 8, 9, 1, {1, 2});
    EXPECT_EQ(first.rows(), 2);
    EXPECT_EQ(first.steps(), whole.steps());
    for (std::int64_t s = 0; s < whole.steps(); ++s) {
        EXPECT_TRUE(torch::equal(torch::cat({first.batch(s).inputs, second.batch(s).inputs}), whole.batch(s).inputs));
        EXPECT_TRUE(torch::equal(torch::cat({first.batch(s).targets, second.batch(s).targets}), whole.batch(s).targets));
    }
    // A stream of 5 rows' worth gives 2 processes 2 rows each (one process would read all 5).
    const train::EpochStreams odd(set, 1000, (6 * 81 - 1) / 5, 9, 1, {1, 2});
    EXPECT_EQ(odd.rows(), 2);
    EXPECT_THROW(train::EpochStreams(set, 4, 8, 9, 1, {0, 5}), std::invalid_argument);  // 4 rows for 5 processes
}

// Where a data-parallel worker learns its place: torchrun's variables, else Slurm's.
TEST(DataParallel, ReadsTorchrunAndSlurmVariables) {
    EXPECT_EQ(train::first_slurm_host("node[03-05,9],gpu1"), "node03");
    EXPECT_EQ(train::first_slurm_host("gpu1,gpu2"), "gpu1");
    EXPECT_EQ(train::first_slurm_host("a[7]"), "a7");
    EXPECT_EQ(train::first_slurm_host("solo"), "solo");

    const auto clear = [] {
        for (const char* name : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT", "SLURM_NTASKS",
                                 "SLURM_PROCID", "SLURM_LOCALID", "SLURM_JOB_NODELIST"})
            ::unsetenv(name);
    };
    clear();
    EXPECT_FALSE(train::world_from_environment());
    ::setenv("WORLD_SIZE", "4", 1);
    ::setenv("RANK", "2", 1);
    ::setenv("LOCAL_RANK", "1", 1);
    ::setenv("MASTER_ADDR", "head", 1);
    ::setenv("MASTER_PORT", "1234", 1);
    auto world = train::world_from_environment();
    ASSERT_TRUE(world);
    EXPECT_EQ(world->rank, 2);
    EXPECT_EQ(world->size, 4);
    EXPECT_EQ(world->local_rank, 1);
    EXPECT_EQ(world->master_addr, "head");
    EXPECT_EQ(world->master_port, 1234);
    ::setenv("RANK", "4", 1);
    EXPECT_THROW(train::world_from_environment(), std::invalid_argument);
    ::setenv("MASTER_PORT", "http", 1);
    EXPECT_THROW(train::world_from_environment(), std::invalid_argument);
    ::setenv("WORLD_SIZE", "1", 1);
    ::setenv("RANK", "0", 1);
    ::setenv("MASTER_PORT", "1234", 1);
    EXPECT_FALSE(train::world_from_environment());  // one process is no group

    clear();
    ::setenv("SLURM_NTASKS", "3", 1);
    ::setenv("SLURM_PROCID", "1", 1);
    ::setenv("SLURM_LOCALID", "0", 1);
    ::setenv("SLURM_JOB_NODELIST", "n[1-3]", 1);
    world = train::world_from_environment();
    ASSERT_TRUE(world);
    EXPECT_EQ(world->rank, 1);
    EXPECT_EQ(world->size, 3);
    EXPECT_EQ(world->local_rank, 0);
    EXPECT_EQ(world->master_addr, "n1");
    EXPECT_EQ(world->master_port, 29500);
    clear();
}

// Two processes' gradients (here two threads, one rank each) averaged while the backward pass runs:
// every bucket but the one holding a parameter the pass never reaches starts before backward()
// returns, and each process ends with the mean of what the two computed alone, step after step.
TEST(DataParallel, GradientsAreAveragedBucketByBucketDuringTheBackwardPass) {
    const auto make_net = [] {
        torch::manual_seed(5);
        torch::nn::Sequential net(torch::nn::Linear(8, 16), torch::nn::Tanh(), torch::nn::Linear(16, 16), torch::nn::Tanh(),
                                  torch::nn::Linear(16, 4));
        net->register_parameter("unused", torch::zeros({3}));
        return net;
    };
    const auto batch = [](int rank, int step) {
        torch::manual_seed(100 + 10 * step + rank);
        return torch::randn({6, 8});
    };
    const int steps = 2;
    // What each step's mean gradient is, computed in one process.
    std::vector<std::vector<torch::Tensor>> expected(steps);
    for (int step = 0; step < steps; ++step) {
        std::vector<torch::Tensor> sum;
        for (int rank = 0; rank < 2; ++rank) {
            auto net = make_net();
            net->forward(batch(rank, step)).pow(2).sum().backward();
            const auto params = net->parameters();
            for (std::size_t i = 0; i < params.size(); ++i) {
                const torch::Tensor g = params[i].grad().defined() ? params[i].grad() : torch::zeros_like(params[i]);
                if (rank == 0) sum.push_back(g.clone()); else sum[i] += g;
            }
        }
        for (torch::Tensor& g : sum) expected[step].push_back(g / 2);
    }

    // The ranks' networks and batches made here: torch::manual_seed is global, and the two threads
    // seeding it at once drew each other's numbers now and then.
    std::vector<torch::nn::Sequential> nets{make_net(), make_net()};
    std::vector<std::vector<torch::Tensor>> inputs(2);
    for (int rank = 0; rank < 2; ++rank)
        for (int step = 0; step < steps; ++step) inputs[rank].push_back(batch(rank, step));

    const train::WorldSpec world{0, 2, 0, "127.0.0.1", 10000 + ::getpid() % 10000};
    std::vector<std::vector<std::vector<torch::Tensor>>> got(2, std::vector<std::vector<torch::Tensor>>(steps));
    std::vector<std::vector<std::size_t>> early(2);
    std::vector<std::size_t> buckets(2);
    std::vector<std::string> errors(2);
    std::vector<std::thread> ranks;
    for (int rank = 0; rank < 2; ++rank)
        ranks.emplace_back([&, rank] {
            try {
                train::WorldSpec mine = world;
                mine.rank = rank;
                train::DataParallel group(mine, std::chrono::seconds(20));
                torch::nn::Sequential& net = nets[rank];
                train::GradientReducer reducer(group, net->parameters(), 256);  // a bucket per tensor, about
                for (int step = 0; step < steps; ++step) {
                    for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
                    net->forward(inputs[rank][step]).pow(2).sum().backward();
                    reducer.average();
                    early[rank].push_back(reducer.started_early());
                    for (const auto& p : net->parameters()) got[rank][step].push_back(p.grad().clone());
                }
                buckets[rank] = reducer.buckets();
            } catch (const std::exception& e) {
                errors[rank] = e.what();
            }
        });
    for (auto& t : ranks) t.join();
    for (int rank = 0; rank < 2; ++rank) {
        ASSERT_EQ(errors[rank], "") << "rank " << rank;
        EXPECT_EQ(buckets[rank], 7u);  // the last layer's bias and weight, ..., the first's, the unused
        EXPECT_EQ(early[rank], std::vector<std::size_t>(steps, 6));  // all but the unused parameter's, every step
        for (int step = 0; step < steps; ++step) {
            ASSERT_EQ(got[rank][step].size(), expected[step].size());
            for (std::size_t i = 0; i < expected[step].size(); ++i)
                EXPECT_TRUE(torch::allclose(got[rank][step][i], expected[step][i], 1e-5, 1e-6))
                    << "rank " << rank << " step " << step << " parameter " << i;
        }
    }
}
