#include "train/Validation.h"

#include <algorithm>

namespace pianola::train {

// pieces [first, last) as one padded batch: each one's predictions appended to nats[piece].
static void score_batch(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces, std::size_t first,
                        std::size_t last, std::int64_t chunk, std::vector<std::vector<float>>& nats) {
    std::size_t longest = 0;
    for (std::size_t p = first; p < last; ++p) longest = std::max(longest, pieces[p].size());
    const auto P = static_cast<std::int64_t>(last - first), L = static_cast<std::int64_t>(longest);
    torch::Tensor ids = torch::zeros({P, L}, torch::kInt64);    // (P, L), padded with id 0
    for (std::int64_t p = 0; p < P; ++p) {
        const TokenIds& piece = pieces[first + static_cast<std::size_t>(p)];
        ids[p].slice(0, 0, static_cast<std::int64_t>(piece.size())).copy_(torch::tensor(piece, torch::kInt64));
    }
    // A recurrent network: consecutive chunks, state carried, every chunk scored whole. A network
    // with a context: windows of C every C / 2 tokens, each scoring the tokens the one before did not.
    const std::int64_t C = net.context(), window = C > 0 ? C : chunk, stride = C > 0 ? C / 2 : chunk;
    model::CarriedState state;
    for (std::int64_t begin = 0; begin + 1 < L; begin += stride) {
        const std::int64_t end = std::min(begin + window, L - 1);
        const std::int64_t skip = begin == 0 ? 0 : window - stride;  // leading positions an earlier window scored
        auto [logits, next] = net.forward(ids.slice(1, begin, end), state);   // (P, t, V)
        state = next;
        const torch::Tensor targets = ids.slice(1, begin + 1 + skip, end + 1);  // (P, t - skip)
        const torch::Tensor nll = torch::nn::functional::cross_entropy(
            logits.slice(1, skip).reshape({-1, logits.size(2)}), targets.reshape(-1),
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)).reshape({P, -1}).to(torch::kFloat32).contiguous();
        // Targets begin + 1 + skip ... end; a piece's real ones stop at its length (the rest is padding).
        for (std::int64_t p = 0; p < P; ++p) {
            const std::size_t piece = first + static_cast<std::size_t>(p);
            const std::int64_t real = std::min<std::int64_t>(end + 1, static_cast<std::int64_t>(pieces[piece].size())) -
                                      (begin + 1 + skip);
            const float* row = nll[p].data_ptr<float>();
            if (real > 0) nats[piece].insert(nats[piece].end(), row, row + real);
        }
        if (end == L - 1) break;
    }
}

std::vector<std::vector<float>> token_nats(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces,
                                           std::int64_t chunk) {
    const bool was_training = net.is_training();
    net.eval();
    torch::NoGradGuard no_grad;
    // Attention holds (rows, heads, C, C) scores: a few rows at a time keep that near 100 MB.
    const std::int64_t C = net.context();
    const std::size_t rows = C > 0 ? static_cast<std::size_t>(std::max<std::int64_t>(1, (std::int64_t{1} << 23) / (C * C)))
                                   : std::max<std::size_t>(pieces.size(), 1);
    std::vector<std::vector<float>> nats(pieces.size());
    for (std::size_t first = 0; first < pieces.size(); first += rows)
        score_batch(net, pieces, first, std::min(first + rows, pieces.size()), chunk, nats);
    net.train(was_training);
    return nats;
}

eval::CrossEntropy validate(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces, std::int64_t chunk) {
    eval::CrossEntropy total;
    for (const std::vector<float>& piece : token_nats(net, pieces, chunk)) {
        for (const float nats : piece) total.nats += nats;
        total.tokens += static_cast<std::int64_t>(piece.size());
    }
    return total;
}

}  // namespace pianola::train
