#include "compose/LmComposer.h"

#include <limits>
#include <random>
#include <stdexcept>

#include "compose/TokenSampler.h"

namespace pianola::compose {

std::vector<std::string> compose_lm(model::LoadedModel& model, int notes, std::uint64_t seed, double temperature) {
    if (notes < 1) throw std::invalid_argument("the number of notes must be at least 1");
    if (!(temperature >= 0)) throw std::invalid_argument("the temperature must be 0 (argmax) or more");
    if (!std::holds_alternative<model::LmModel>(model.net))
        throw std::invalid_argument("stateful generation needs a next-token model");
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    if (!vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    const std::int64_t piece_start = vocabulary.id(music::piece_start_token);
    model::LmModel& net = std::get<model::LmModel>(model.net);

    torch::NoGradGuard no_grad;
    net->eval();
    std::mt19937_64 rng(seed);
    std::vector<std::string> tokens;
    model::LstmState state;
    std::int64_t current = piece_start;
    while (static_cast<int>(tokens.size()) < notes) {
        auto [logits, next] = net->forward(torch::tensor({{current}}, torch::kInt64), state);  // (1, 1, V)
        state = next;
        torch::Tensor scores = logits.reshape(-1).clone();                                       // (V)
        scores[piece_start] = -std::numeric_limits<float>::infinity();
        current = sample_token(scores, temperature, rng);
        tokens.push_back(vocabulary.token(current));
    }
    return tokens;
}

}  // namespace pianola::compose
