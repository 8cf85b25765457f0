#include "compose/TokenSampler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace pianola::compose {

TokenSampler::TokenSampler(SamplingOptions options) : options_(options) {
    if (!(options.temperature >= 0)) throw std::invalid_argument("the temperature must be 0 (argmax) or more");
    if (options.top_k < 0) throw std::invalid_argument("top-k must be 0 (no cut) or more");
    if (!(options.top_p > 0 && options.top_p <= 1)) throw std::invalid_argument("top-p must be in (0, 1]");
    if (!(options.time_top_p > 0 && options.time_top_p <= 1)) throw std::invalid_argument("the time top-p must be in (0, 1]");
    if (options.time_temperature && !(*options.time_temperature > 0))
        throw std::invalid_argument("the time temperature must be above 0");
    if (options.duration_temperature && !(*options.duration_temperature > 0))
        throw std::invalid_argument("the duration temperature must be above 0");
    if (options.duration_top_p && !(*options.duration_top_p > 0 && *options.duration_top_p <= 1))
        throw std::invalid_argument("the duration top-p must be in (0, 1]");
}

std::vector<TokenClass> token_classes(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary) {
    if (!std::holds_alternative<music::TimedTokenizer>(tokenizer)) return {};
    std::vector<TokenClass> classes(vocabulary.size(), TokenClass::pitch);
    using Kind = music::TimedToken::Kind;
    for (std::size_t id = 0; id < vocabulary.size(); ++id) {
        const auto token = music::parse_timed_token(vocabulary.token(static_cast<std::int64_t>(id)));
        if (token && token->kind == Kind::duration) classes[id] = TokenClass::duration;
        else if (token && token->kind != Kind::pitch && token->kind != Kind::program) classes[id] = TokenClass::time;
    }
    return classes;
}

std::int64_t TokenSampler::operator()(std::span<const float> logits, std::mt19937_64& rng) {
    const auto best = std::max_element(logits.begin(), logits.end());
    if (options_.temperature == 0) return best - logits.begin();
    // Weights exp((l - max) / T) in double: subtracting the max keeps exp finite; double keeps small
    // temperatures from underflowing every token but the best.
    const double top = *best, T = options_.temperature;
    const auto weight = [&](float l) { return std::exp((l - top) / T); };
    std::uniform_real_distribution<double> uniform(0, 1);
    const bool classed = !options_.classes.empty();
    const double time_T = classed ? options_.time_temperature.value_or(T) : T;
    const std::array<double, 3> class_T{T, time_T, classed ? options_.duration_temperature.value_or(time_T) : T};
    const std::array<double, 3> top_p{options_.top_p, options_.time_top_p, options_.duration_top_p.value_or(options_.time_top_p)};
    if (options_.top_k == 0 && top_p == std::array<double, 3>{1, 1, 1} &&
        (!classed || class_T == std::array<double, 3>{1, 1, 1})) {
        // Two passes instead of a stored distribution: the total, then where the running sum passes the draw.
        double total = 0;
        for (const float l : logits) total += weight(l);
        double u = uniform(rng) * total;
        for (std::size_t i = 0; i < logits.size(); ++i) {
            u -= weight(logits[i]);
            if (u < 0) return static_cast<std::int64_t>(i);
        }
        return best - logits.begin();  // rounding left u a hair above the total: the likeliest token
    }
    const auto class_of = [&](std::int64_t id) {
        return classed ? static_cast<std::size_t>(options_.classes[static_cast<std::size_t>(id)]) : std::size_t{0};
    };
    candidates_.clear();
    std::array<double, 3> total{};  // by TokenClass (seed tokens: all pitch): at the temperature
    std::array<double, 3> odds{};   // the same at temperature 1: the model's odds of the classes (timed tokens only)
    for (std::size_t i = 0; i < logits.size(); ++i) {
        const std::size_t c = class_of(static_cast<std::int64_t>(i));
        const double w = std::exp((logits[i] - top) / class_T[c]);
        if (w > 0) candidates_.emplace_back(w, static_cast<std::int64_t>(i));
        total[c] += w;
        if (classed) odds[c] += class_T[c] == 1 ? w : std::exp(logits[i] - top);
    }
    // Ties keep id order, so a draw does not depend on the sort's implementation.
    const auto likelier = [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); };
    std::size_t kept = candidates_.size();
    if (options_.top_k > 0 && static_cast<std::size_t>(options_.top_k) < kept) {
        kept = static_cast<std::size_t>(options_.top_k);
        std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(kept), candidates_.end(), likelier);
    } else {
        std::sort(candidates_.begin(), candidates_.end(), likelier);
    }
    // A token stays while the likelier tokens of its class hold less than the class' share p of
    // the class' mass: the fewest likeliest tokens reaching p, as one class' nucleus always was.
    std::array<double, 3> held{};
    std::size_t nucleus = 0;
    for (std::size_t i = 0; i < kept; ++i) {
        const std::size_t c = class_of(candidates_[i].second);
        if (top_p[c] < 1 && held[c] >= top_p[c] * total[c]) continue;
        held[c] += candidates_[i].first;
        candidates_[nucleus++] = candidates_[i];
    }
    kept = nucleus;
    // Each class' nucleus weighs what the whole class did in the model, so neither a cut nor the
    // temperature changes how often a chord goes on (a pitch) against time moving on: a temperature
    // below 1 favours the class whose tokens are fewer and surer (time), and at 0.8 thinned
    // ff-piano's chords to 2.2 notes sounding against the held-out pieces' 3.0.
    std::array<double, 3> scale{};
    for (std::size_t c = 0; c < 3; ++c) scale[c] = held[c] > 0 ? (classed ? odds[c] : total[c]) / held[c] : 0;
    double mass = 0;
    for (std::size_t i = 0; i < kept; ++i) mass += candidates_[i].first * scale[class_of(candidates_[i].second)];
    double u = uniform(rng) * mass;
    for (std::size_t i = 0; i < kept; ++i) {
        u -= candidates_[i].first * scale[class_of(candidates_[i].second)];
        if (u < 0) return candidates_[i].second;
    }
    return candidates_.front().second;
}

}  // namespace pianola::compose
