#include "train/Validation.h"

#include <algorithm>
#include <numeric>
#include <span>

namespace pianola::train {

// The pieces `batch` names as one padded batch: each one's predictions appended to nats[piece].
static void score_batch(model::NextTokenModelImpl& net, const std::vector<TokenIds>& pieces,
                        std::span<const std::size_t> batch, std::int64_t chunk, std::vector<std::vector<float>>& nats) {
    std::size_t longest = 0;
    for (std::size_t piece : batch) longest = std::max(longest, pieces[piece].size());
    const auto P = static_cast<std::int64_t>(batch.size()), L = static_cast<std::int64_t>(longest);
    torch::Tensor ids = torch::zeros({P, L}, torch::kInt64);    // (P, L), padded with id 0
    for (std::int64_t p = 0; p < P; ++p) {
        const TokenIds& piece = pieces[batch[static_cast<std::size_t>(p)]];
        ids[p].slice(0, 0, static_cast<std::int64_t>(piece.size())).copy_(torch::tensor(piece, torch::kInt64));
    }
    ids = ids.to(net.parameters().front().device());
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
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone)).reshape({P, -1}).to(torch::kCPU, torch::kFloat32).contiguous();
        // Targets begin + 1 + skip ... end; a piece's real ones stop at its length (the rest is padding).
        for (std::int64_t p = 0; p < P; ++p) {
            const std::size_t piece = batch[static_cast<std::size_t>(p)];
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
    // Attention holds (rows, heads, C, C) scores: a few rows at a time keep that near 100 MB. A
    // recurrent network holds its gates for every row and position of a chunk: 32,768 tokens a
    // chunk keep that near 100 MB for a 256-wide layer (all of 2,000 pieces at once took 13 GB).
    const std::int64_t C = net.context();
    const auto rows = static_cast<std::size_t>(
        std::max<std::int64_t>(1, C > 0 ? (std::int64_t{1} << 23) / (C * C) : (std::int64_t{1} << 15) / chunk));
    // Longest first, so that each batch is padded to pieces of about its own length.
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pieces[a].size() > pieces[b].size(); });
    std::vector<std::vector<float>> nats(pieces.size());
    for (std::size_t first = 0; first < order.size(); first += rows)
        score_batch(net, pieces, std::span(order).subspan(first, std::min(rows, order.size() - first)), chunk, nats);
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
