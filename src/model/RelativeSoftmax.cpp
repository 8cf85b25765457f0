#include "model/RelativeSoftmax.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include <ATen/Parallel.h>

#include "model/Bfloat16.h"
#include "model/VectorClones.h"

namespace pianola::model {

namespace {

// e^x for x <= 0, to 2.5e-7 relative (measured over [-87, 0]): std::exp does not vectorize without
// -ffast-math, and libtorch's vectorized one is compiled for its own kernels only. x = n ln 2 + r,
// |r| <= ln 2 / 2, e^r by its Taylor series to r^6, 2^n from the exponent bits; below -87 it is e^-87.
inline float exp_nonpositive(float x) {
    x = x > -87.0f ? x : -87.0f;
    constexpr float round = 12582912.0f;  // 1.5 x 2^23: adding it rounds to an integer, no branch
    const float n = (x * 1.44269504f + round) - round;
    const float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;  // ln 2 in two parts, so r stays exact
    const float p =
        1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
    return p * std::bit_cast<float>(static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23);
}

// One row, of the query at position i of T: qk, rel and p (T) -> p; s (T) scratch.
template <typename E>
inline __attribute__((always_inline)) void forward_row_of(const E* qk, const E* rel, E* p, float* s, std::int64_t i,
                                                          std::int64_t T, float scale) {
    const E* r = rel + (T - 1 - i);  // key j is at distance i - j: column T - 1 - i + j
#pragma omp simd
    for (std::int64_t j = 0; j <= i; ++j) s[j] = (widen(qk[j]) + widen(r[j])) * scale;
    float top = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : top)
    for (std::int64_t j = 0; j <= i; ++j) top = s[j] > top ? s[j] : top;
#pragma omp simd
    for (std::int64_t j = 0; j <= i; ++j) s[j] = exp_nonpositive(s[j] - top);
    float total = 0;
#pragma omp simd reduction(+ : total)
    for (std::int64_t j = 0; j <= i; ++j) total += s[j];
    const float inverse = 1.0f / total;
#pragma omp simd
    for (std::int64_t j = 0; j <= i; ++j) narrow(s[j] * inverse, p[j]);
    std::fill(p + i + 1, p + T, E{});
}

// The softmax's backward for the query at position i: p and dp (T) -> dqk (T) and drel (T), the same gradient
// skewed back into distance order; columns that no key reaches get 0.
template <typename E>
inline __attribute__((always_inline)) void backward_row_of(const E* p, const E* dp, E* dqk, E* drel, std::int64_t i,
                                                           std::int64_t T, float scale) {
    float dot = 0;
#pragma omp simd reduction(+ : dot)
    for (std::int64_t j = 0; j <= i; ++j) dot += widen(dp[j]) * widen(p[j]);
    E* r = drel + (T - 1 - i);
    std::fill(drel, r, E{});
#pragma omp simd
    for (std::int64_t j = 0; j <= i; ++j) {
        const float ds = widen(p[j]) * (widen(dp[j]) - dot) * scale;
        narrow(ds, dqk[j]);
        narrow(ds, r[j]);
    }
    std::fill(dqk + i + 1, dqk + T, E{});
}

// One clone set per element type (GCC does not clone templates).
PIANOLA_VECTOR_CLONES
void forward_row(const float* qk, const float* rel, float* p, float* s, std::int64_t i, std::int64_t T, float scale) {
    forward_row_of(qk, rel, p, s, i, T, scale);
}
PIANOLA_VECTOR_CLONES
void forward_row(const std::uint16_t* qk, const std::uint16_t* rel, std::uint16_t* p, float* s, std::int64_t i,
                 std::int64_t T, float scale) {
    forward_row_of(qk, rel, p, s, i, T, scale);
}
PIANOLA_VECTOR_CLONES
void backward_row(const float* p, const float* dp, float* dqk, float* drel, std::int64_t i, std::int64_t T,
                  float scale) {
    backward_row_of(p, dp, dqk, drel, i, T, scale);
}
PIANOLA_VECTOR_CLONES
void backward_row(const std::uint16_t* p, const std::uint16_t* dp, std::uint16_t* dqk, std::uint16_t* drel,
                  std::int64_t i, std::int64_t T, float scale) {
    backward_row_of(p, dp, dqk, drel, i, T, scale);
}

// A tensor's elements as the type the row functions take.
template <typename E>
E* elements(const torch::Tensor& t) {
    if constexpr (std::is_same_v<E, float>) return t.data_ptr<float>();
    else return reinterpret_cast<std::uint16_t*>(t.data_ptr<c10::BFloat16>());
}

// Calls f(E*) with E the element type of a float32 or bfloat16 tensor.
template <typename F>
void by_element_type(torch::ScalarType type, F f) {
    if (type == torch::kBFloat16) f(static_cast<std::uint16_t*>(nullptr));
    else f(static_cast<float*>(nullptr));
}

// Rows go to libtorch's threads in contiguous ranges; a row costs as many keys as it sees, but every
// (B, A) block holds the same rows, so ranges of whole blocks balance.
constexpr std::int64_t rows_per_task = 64;

struct RelativeSoftmaxFunction : torch::autograd::Function<RelativeSoftmaxFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& qk_in,
                                 const torch::Tensor& rel_in, double scale) {
        const torch::Tensor qk = qk_in.contiguous(), rel = rel_in.contiguous();
        const std::int64_t R = qk.size(2), T = qk.size(3);
        torch::Tensor p = torch::empty_like(qk);
        by_element_type(qk.scalar_type(), [&]<typename E>(E*) {
            const E *qkp = elements<E>(qk), *relp = elements<E>(rel);
            E* pp = elements<E>(p);
            at::parallel_for(0, qk.numel() / T, rows_per_task, [&](std::int64_t begin, std::int64_t end) {
                std::vector<float> s(static_cast<std::size_t>(T));
                for (std::int64_t row = begin; row < end; ++row)
                    forward_row(qkp + row * T, relp + row * T, pp + row * T, s.data(), T - R + row % R, T,
                                static_cast<float>(scale));
            });
        });
        ctx->save_for_backward({p});
        ctx->saved_data["scale"] = scale;
        return p;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads) {
        const torch::Tensor p = ctx->get_saved_variables()[0];
        const torch::Tensor dp = grads[0].to(p.scalar_type()).contiguous();
        const float scale = static_cast<float>(ctx->saved_data["scale"].toDouble());
        const std::int64_t R = p.size(2), T = p.size(3);
        torch::Tensor dqk = torch::empty_like(p), drel = torch::empty_like(p);
        by_element_type(p.scalar_type(), [&]<typename E>(E*) {
            const E *pp = elements<E>(p), *dpp = elements<E>(dp);
            E *dqkp = elements<E>(dqk), *drelp = elements<E>(drel);
            at::parallel_for(0, p.numel() / T, rows_per_task, [&](std::int64_t begin, std::int64_t end) {
                for (std::int64_t row = begin; row < end; ++row)
                    backward_row(pp + row * T, dpp + row * T, dqkp + row * T, drelp + row * T, T - R + row % R, T, scale);
            });
        });
        return {dqk, drel, torch::Tensor()};
    }
};

}  // namespace

torch::Tensor relative_softmax(const torch::Tensor& qk, const torch::Tensor& rel, double scale) {
    TORCH_CHECK(qk.dim() == 4 && qk.size(2) <= qk.size(3) && qk.sizes() == rel.sizes(),
                "relative_softmax takes two (B, A, R, T) tensors with R <= T, not ", qk.sizes(), " and ", rel.sizes());
    TORCH_CHECK(qk.scalar_type() == rel.scalar_type() &&
                    (qk.scalar_type() == torch::kFloat32 || qk.scalar_type() == torch::kBFloat16),
                "relative_softmax takes float32 or bfloat16 scores");
    if (!qk.is_cpu()) return relative_softmax_composed(qk, rel, scale);
    return RelativeSoftmaxFunction::apply(qk, rel, scale);
}

torch::Tensor relative_softmax_composed(const torch::Tensor& qk, const torch::Tensor& rel, double scale) {
    const std::int64_t B = qk.size(0), A = qk.size(1), R = qk.size(2), T = qk.size(3);
    const auto on = torch::TensorOptions().device(qk.device()).dtype(torch::kInt64);
    // Row r is the query at i = T - R + r; its key j is at distance i - j, in rel's column j + R - 1 - r.
    // Keys past i point beyond the last column: clamped there, then masked.
    const torch::Tensor column = (torch::arange(T, on).view({1, T}) +
                                  (R - 1 - torch::arange(R, on)).view({R, 1})).clamp_max(T - 1);
    const torch::Tensor future = torch::arange(T, on).view({1, T}).gt(
        (T - R + torch::arange(R, on)).view({R, 1}));  // (R, T): j > i
    const torch::Tensor skewed = rel.to(torch::kFloat32).gather(3, column.expand({B, A, R, T}));
    const torch::Tensor scores = ((qk.to(torch::kFloat32) + skewed) * scale).masked_fill(future, -INFINITY);
    return scores.softmax(-1).to(qk.scalar_type());
}

}  // namespace pianola::model
