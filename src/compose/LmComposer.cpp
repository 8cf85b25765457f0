#include "compose/LmComposer.h"

#include <random>
#include <span>
#include <stdexcept>
#include <utility>

#include "compose/TokenSampler.h"

namespace pianola::compose {

std::vector<std::vector<std::int64_t>> continue_from(model::LmModel& net, std::int64_t start,
                                                    std::vector<TokenRules> rules, int notes, std::uint64_t seed,
                                                    double temperature) {
    torch::NoGradGuard no_grad;
    net->eval();
    const auto K = static_cast<std::int64_t>(rules.size());
    std::vector<std::mt19937_64> rngs;
    for (std::int64_t k = 0; k < K; ++k) rngs.emplace_back(seed + static_cast<std::uint64_t>(k));
    model::LmStepState state = net->start(K);
    torch::Tensor ids = torch::full({K}, start, torch::kInt64);  // (K): each piece's last token
    std::int64_t* last = ids.data_ptr<std::int64_t>();
    const auto V = static_cast<std::size_t>(net->options().vocab);
    std::vector<std::vector<std::int64_t>> pieces(rules.size());
    const std::int64_t max_tokens = 32 * static_cast<std::int64_t>(notes);
    std::int64_t open = K;  // pieces still short of their notes; a finished piece's row runs on unread
    for (std::int64_t n = 0; n < max_tokens && open > 0; ++n) {
        const torch::Tensor logits = net->step(ids, state);  // (K, V), contiguous
        float* row = logits.data_ptr<float>();
        open = 0;
        for (std::size_t k = 0; k < rules.size(); ++k) {
            if (rules[k].notes() >= notes) continue;
            const std::span<float> piece_logits(row + k * V, V);
            rules[k].forbid(piece_logits);
            last[k] = sample_token(piece_logits, temperature, rngs[k]);
            rules[k].push(last[k]);
            pieces[k].push_back(last[k]);
            open += rules[k].notes() < notes;
        }
    }
    return pieces;
}

std::vector<std::vector<std::string>> compose_lm(model::LoadedModel& model, int notes, int count, std::uint64_t seed,
                                                 double temperature) {
    if (notes < 1) throw std::invalid_argument("the number of notes must be at least 1");
    if (count < 1) throw std::invalid_argument("the number of pieces must be at least 1");
    if (!(temperature >= 0)) throw std::invalid_argument("the temperature must be 0 (argmax) or more");
    if (!std::holds_alternative<model::LmModel>(model.net))
        throw std::invalid_argument("stateful generation needs a next-token model");
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    if (!vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    std::vector<TokenRules> rules(static_cast<std::size_t>(count), TokenRules(model.info.tokenizer, vocabulary));
    const auto ids = continue_from(std::get<model::LmModel>(model.net), vocabulary.id(music::piece_start_token),
                                   std::move(rules), notes, seed, temperature);
    std::vector<std::vector<std::string>> pieces;
    for (const auto& piece : ids) {
        pieces.emplace_back();
        for (const std::int64_t id : piece) pieces.back().push_back(vocabulary.token(id));
    }
    return pieces;
}

}  // namespace pianola::compose
