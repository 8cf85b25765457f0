#include "compose/SeedComposer.h"

#include <random>
#include <stdexcept>

#include "compose/TokenSampler.h"
#include "midi/MidiWriter.h"
#include "music/SeedTokenizer.h"

namespace pianola::compose {

SeedPiece compose_seed(model::LoadedModel& model, int notes, std::uint64_t seed, double temperature) {
    if (notes < 1) throw std::invalid_argument("the number of notes must be at least 1");
    if (!(temperature >= 0)) throw std::invalid_argument("the temperature must be 0 (argmax) or more");
    const model::ModelInfo& info = model.info;
    const auto window = static_cast<std::size_t>(info.window);
    if (info.corpus_ids.size() < window) throw std::invalid_argument("the model holds no training window to prime from");

    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, info.corpus_ids.size() - window);
    const std::size_t start = pick(rng);
    std::vector<std::int64_t> ids(info.corpus_ids.begin() + static_cast<std::ptrdiff_t>(start),
                                  info.corpus_ids.begin() + static_cast<std::ptrdiff_t>(start + window));

    if (!std::holds_alternative<model::SeedModel>(model.net))
        throw std::invalid_argument("window generation needs a seed-design model");
    model::SeedModel& net = std::get<model::SeedModel>(model.net);
    torch::NoGradGuard no_grad;
    net->eval();
    const double vocab = static_cast<double>(info.vocab());
    for (int i = 0; i < notes; ++i) {
        const torch::Tensor x = torch::tensor(std::vector<std::int64_t>(ids.end() - static_cast<std::ptrdiff_t>(window), ids.end()))
                                    .to(torch::kFloat32)
                                    .div(vocab)
                                    .unsqueeze(0);                     // (1, T)
        ids.push_back(sample_token(net->forward(x).squeeze(0), temperature, rng));
    }

    SeedPiece piece;
    for (std::size_t i = 0; i < ids.size(); ++i)
        (i < window ? piece.primer : piece.tokens).push_back(info.vocabulary.token(ids[i]));
    return piece;
}

void write_seed_midi(const std::vector<std::string>& tokens, const std::filesystem::path& path) {
    constexpr std::uint16_t ticks_per_quarter = 480;
    const music::Score score =
        music::SeedTokenizer().compose_score(tokens, ticks_per_quarter, ticks_per_quarter / 2, 500000);
    midi::write_midi_file(path, music::midi_from_score(score, 0));
}

}  // namespace pianola::compose
