#include "compose/LmComposer.h"

#include <algorithm>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <utility>

namespace pianola::compose {

std::int64_t draw_next(std::span<float> logits, model::PieceMemory* memory, const KeyPull* key, const PiecePulls& pulls,
                       const TokenRules& rules, CopyGuard* guard, TokenSampler& sampler, std::mt19937_64& rng,
                       const std::vector<bool>& allowed) {
    constexpr float never = -std::numeric_limits<float>::infinity();
    if (memory) memory->mix(logits, pulls.memory);
    if (key) key->pull(logits, pulls.key);
    for (std::size_t id = 0; id < allowed.size(); ++id)
        if (!allowed[id]) logits[id] = never;
    rules.forbid(logits);
    if (guard) guard->forbid(logits);
    if (!allowed.empty() && std::all_of(logits.begin(), logits.end(), [](float l) { return l == never; })) return -1;
    return sampler(logits, rng);
}

std::vector<std::vector<std::int64_t>> continue_from(model::NextTokenModelImpl& net, const std::vector<std::int64_t>& primer,
                                                    std::vector<TokenRules> rules, std::vector<CopyGuard>& guards,
                                                    const SamplingOptions& sampling, std::uint64_t seed,
                                                    const PiecePulls& pulls) {
    torch::NoGradGuard no_grad;
    net.eval();
    const auto K = static_cast<std::int64_t>(rules.size());
    std::vector<std::mt19937_64> rngs;
    std::vector<TokenSampler> samplers(rules.size(), TokenSampler(sampling));
    for (std::int64_t k = 0; k < K; ++k) rngs.emplace_back(seed + static_cast<std::uint64_t>(k));
    const std::unique_ptr<model::StepState> state = net.start(K);
    std::vector<model::PieceMemory> memories(pulls.memory.on() ? rules.size() : 0);
    std::vector<KeyPull> keys(pulls.key > 0 ? rules.size() : 0, KeyPull(pulls.pitch_classes));
    for (const std::int64_t id : primer) {
        for (model::PieceMemory& m : memories) m.push(id);
        for (KeyPull& k : keys) k.push(id);
    }
    torch::Tensor ids = torch::full({K}, primer.at(0), torch::kInt64);  // (K): each piece's last token
    for (std::size_t i = 1; i < primer.size(); ++i) {
        net.step(ids, *state);
        ids.fill_(primer[i]);
    }
    std::int64_t* last = ids.data_ptr<std::int64_t>();
    const auto V = static_cast<std::size_t>(net.vocab());
    std::vector<std::vector<std::int64_t>> pieces(rules.size());
    std::int64_t open = K;  // pieces not done; a finished piece's row runs on unread
    while (open > 0) {
        const torch::Tensor logits = net.step(ids, *state);  // (K, V), contiguous
        float* row = logits.data_ptr<float>();
        open = 0;
        for (std::size_t k = 0; k < rules.size(); ++k) {
            if (rules[k].done()) continue;
            last[k] = draw_next({row + k * V, V}, memories.empty() ? nullptr : &memories[k], keys.empty() ? nullptr : &keys[k],
                                pulls, rules[k], guards.empty() ? nullptr : &guards[k], samplers[k], rngs[k]);
            if (rules[k].push(last[k])) {
                if (!guards.empty()) guards[k].push(last[k]);
                if (!memories.empty()) memories[k].push(last[k]);
                if (!keys.empty()) keys[k].push(last[k]);
                pieces[k].push_back(last[k]);
            }
            open += !rules[k].done();
        }
    }
    return pieces;
}

int ensemble_limit(const model::ModelInfo& info, std::uint64_t seed) {
    const auto sizes = info.training.find("ensembles");
    if (sizes == info.training.end() || !sizes->is_array() || sizes->empty()) return 0;
    const std::vector<int> pieces = sizes->get<std::vector<int>>();
    if (std::all_of(pieces.begin(), pieces.end(), [](int n) { return n <= 0; })) return 0;
    std::seed_seq stream{seed, std::uint64_t{1}};  // apart from the sampler's generator of the same seed
    std::mt19937_64 rng(stream);
    return std::discrete_distribution<int>(pieces.begin(), pieces.end())(rng);
}

std::vector<ComposedPiece> compose_lm(model::LoadedModel& model, const ComposeOptions& options,
                                      const TrainingCopies* copies) {
    if (options.count < 1) throw std::invalid_argument("the number of pieces must be at least 1");
    if (!std::holds_alternative<model::NextTokenModel>(model.net))
        throw std::invalid_argument("stateful generation needs a next-token model");
    if (options.max_copy && !copies) throw std::invalid_argument("a copy limit needs the model's training index");
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    if (!vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    std::vector<std::int64_t> primer{vocabulary.id(music::piece_start_token)};
    for (const std::string& token : options.primer) {
        if (!vocabulary.contains(token))
            throw std::invalid_argument("the primer holds \"" + token + "\", a token the model never learned");
        primer.push_back(vocabulary.id(token));
    }

    TokenRules rules(model.info.tokenizer, vocabulary);
    std::optional<CopyGuard> guard;
    if (copies) guard.emplace(*copies, options.max_copy.value_or(std::numeric_limits<std::size_t>::max()));
    std::vector<float> logits(vocabulary.size());
    for (std::size_t i = 1; i < primer.size(); ++i) {
        std::fill(logits.begin(), logits.end(), 0.0f);
        rules.forbid(logits);
        if (logits[static_cast<std::size_t>(primer[i])] == -std::numeric_limits<float>::infinity())
            throw std::invalid_argument("the primer's token \"" + vocabulary.token(primer[i]) + "\" (token " +
                                        std::to_string(i) + ") does not fit where it stands");
        rules.push(primer[i]);
        if (guard) guard->push(primer[i]);
    }
    rules.begin(options.length, options.tempo_us ? options.tempo_us : model.info.tempo_us, options.cadence);

    const auto K = static_cast<std::size_t>(options.count);
    std::vector<CopyGuard> guards = guard ? std::vector<CopyGuard>(K, *guard) : std::vector<CopyGuard>{};
    SamplingOptions sampling = options.sampling;
    sampling.classes = token_classes(model.info.tokenizer, vocabulary);
    std::vector<TokenRules> piece_rules(K, rules);
    for (std::size_t k = 0; k < K; ++k) piece_rules[k].limit_instruments(ensemble_limit(model.info, options.seed + k));
    const auto ids = continue_from(*std::get<model::NextTokenModel>(model.net), primer, std::move(piece_rules),
                                   guards, sampling, options.seed,
                                   {options.memory, options.key_pull, pitch_classes(model.info.tokenizer, vocabulary)});
    std::vector<ComposedPiece> pieces;
    for (std::size_t k = 0; k < K; ++k) {
        ComposedPiece composed;
        composed.tokens = options.primer;
        composed.primer_tokens = options.primer.size();
        for (const std::int64_t id : ids[k]) composed.tokens.push_back(vocabulary.token(id));
        if (guard) {
            composed.longest_copy = guards[k].longest();
            composed.guard_gave_way = guards[k].gave_way();
        }
        pieces.push_back(std::move(composed));
    }
    return pieces;
}

}  // namespace pianola::compose
