#include "compose/SeedComposer.h"

#include <random>
#include <stdexcept>

#include "compose/TokenSampler.h"
#include "music/SeedTokenizer.h"

namespace pianola::compose {

std::vector<std::int64_t> extend_window(model::SeedModel& net, std::vector<std::int64_t> ids, std::int64_t window,
                                        std::int64_t vocab, int notes, const SamplingOptions& sampling,
                                        std::mt19937_64& rng) {
    TokenSampler sample(sampling);
    torch::NoGradGuard no_grad;
    net->eval();
    const auto T = static_cast<std::ptrdiff_t>(window);
    for (int i = 0; i < notes; ++i) {
        const torch::Tensor x = torch::tensor(std::vector<std::int64_t>(ids.end() - T, ids.end()))
                                    .to(torch::kFloat32)
                                    .div(static_cast<double>(vocab))
                                    .unsqueeze(0);                     // (1, T)
        const torch::Tensor logits = net->forward(x).squeeze(0).contiguous();  // (V)
        ids.push_back(sample({logits.data_ptr<float>(), static_cast<std::size_t>(logits.numel())}, rng));
    }
    return ids;
}

SeedPiece compose_seed(model::LoadedModel& model, int notes, std::uint64_t seed, const SamplingOptions& sampling) {
    if (notes < 1) throw std::invalid_argument("the number of notes must be at least 1");
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
    ids = extend_window(std::get<model::SeedModel>(model.net), std::move(ids), info.window, info.vocab(), notes,
                        sampling, rng);

    SeedPiece piece;
    for (std::size_t i = 0; i < ids.size(); ++i)
        (i < window ? piece.primer : piece.tokens).push_back(info.vocabulary.token(ids[i]));
    return piece;
}

music::Score seed_score(const std::vector<std::string>& tokens, std::uint32_t tempo_us) {
    constexpr std::uint16_t ticks_per_quarter = 480;
    return music::SeedTokenizer().compose_score(tokens, ticks_per_quarter, ticks_per_quarter / 2, tempo_us);
}

}  // namespace pianola::compose
