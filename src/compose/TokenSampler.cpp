#include "compose/TokenSampler.h"

namespace pianola::compose {

std::int64_t sample_token(const torch::Tensor& logits, double temperature, std::mt19937_64& rng) {
    if (temperature == 0) return logits.argmax().item<std::int64_t>();
    // Double precision: exp of a float logit divided by a small temperature underflows too soon.
    const torch::Tensor p = torch::softmax(logits.to(torch::kFloat64) / temperature, 0).contiguous();
    std::discrete_distribution<std::int64_t> pick(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
    return pick(rng);
}

}  // namespace pianola::compose
