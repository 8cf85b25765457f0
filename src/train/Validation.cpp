#include "train/Validation.h"

#include <algorithm>

namespace pianola::train {

eval::CrossEntropy validate(model::LmModel& net, const std::vector<TokenIds>& pieces, std::int64_t chunk) {
    eval::CrossEntropy total;
    if (pieces.empty()) return total;
    std::size_t longest = 0;
    for (const TokenIds& piece : pieces) longest = std::max(longest, piece.size());
    const auto P = static_cast<std::int64_t>(pieces.size()), L = static_cast<std::int64_t>(longest);
    torch::Tensor ids = torch::zeros({P, L}, torch::kInt64);    // (P, L), padded with id 0
    torch::Tensor scored = torch::zeros({P, L}, torch::kBool);  // (P, L): a real token after the piece start
    for (std::int64_t p = 0; p < P; ++p) {
        const TokenIds& piece = pieces[static_cast<std::size_t>(p)];
        const auto n = static_cast<std::int64_t>(piece.size());
        ids[p].slice(0, 0, n).copy_(torch::tensor(piece, torch::kInt64));
        scored[p].slice(0, 1, n).fill_(true);
    }

    const bool was_training = net->is_training();
    net->eval();
    torch::NoGradGuard no_grad;
    model::LstmState state;
    for (std::int64_t begin = 0; begin + 1 < L; begin += chunk) {
        const std::int64_t end = std::min(begin + chunk, L - 1);
        auto [logits, next] = net->forward(ids.slice(1, begin, end), state);  // (P, t, V)
        state = next;
        const torch::Tensor targets = ids.slice(1, begin + 1, end + 1);        // (P, t)
        const torch::Tensor mask = scored.slice(1, begin + 1, end + 1);
        const torch::Tensor nll = torch::nn::functional::cross_entropy(
            logits.reshape({-1, logits.size(2)}), targets.reshape(-1),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        total.nats += nll.masked_select(mask.reshape(-1)).sum().item<double>();
        total.tokens += mask.sum().item<std::int64_t>();
    }
    net->train(was_training);
    return total;
}

}  // namespace pianola::train
