#include "model/StepProduct.h"

#include <algorithm>
#include <cstring>

#include <omp.h>

#include "model/VectorClones.h"
#include "runtime/Compute.h"

namespace pianola::model {

namespace {

// 16 floats: one AVX-512 register, two AVX2 ones; GCC's vector extension lowers it to whichever
// the clone is compiled for, so the kernel needs no intrinsics.
using Vec = float __attribute__((vector_size(64)));
// Returning a Vec changes the ABI by target; these helpers are always inlined into the clones, so
// no call ever crosses that boundary.
#pragma GCC diagnostic ignored "-Wpsabi"
constexpr std::int64_t lanes = 16;

inline __attribute__((always_inline)) Vec load(const float* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// bfloat16 is the top half of a float32: widen 16 of them and shift, exact and without AVX512-BF16.
inline __attribute__((always_inline)) Vec load(const c10::BFloat16* p) {
    using Halves = std::uint16_t __attribute__((vector_size(32)));
    using Words = std::uint32_t __attribute__((vector_size(64)));
    Halves h;
    std::memcpy(&h, p, sizeof h);
    const Words w = __builtin_convertvector(h, Words) << 16;
    Vec v;
    std::memcpy(&v, &w, sizeof v);
    return v;
}

inline __attribute__((always_inline)) void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

// Outputs [n, n + 16 NV) of pieces [b, b + NB): NB x NV accumulators that start at the bias. Each
// step of k loads NV vectors of a row of wt and meets each of them with NB inputs, so every load
// of W feeds NB multiply-adds and no sum across lanes is ever needed.
template <int NV, int NB, typename W>
inline __attribute__((always_inline)) void tile(const W* wt, const float* bias, const float* x, float* y,
                                                std::int64_t n, std::int64_t b, std::int64_t N, std::int64_t K) {
    Vec acc[NB][NV];
    for (int j = 0; j < NB; ++j)
        for (int v = 0; v < NV; ++v) acc[j][v] = load(bias + n + v * lanes);
    for (std::int64_t k = 0; k < K; ++k) {
        Vec w[NV];
        for (int v = 0; v < NV; ++v) w[v] = load(wt + k * N + n + v * lanes);
        for (int j = 0; j < NB; ++j) {
            const float xs = x[(b + j) * K + k];
            for (int v = 0; v < NV; ++v) acc[j][v] += xs * w[v];
        }
    }
    for (int j = 0; j < NB; ++j)
        for (int v = 0; v < NV; ++v) store(y + (b + j) * N + n + v * lanes, acc[j][v]);
}

template <int NV, typename W>
inline __attribute__((always_inline)) void column_block(const W* wt, const float* bias, const float* x, float* y,
                                                        std::int64_t n, std::int64_t B, std::int64_t N,
                                                        std::int64_t K) {
    std::int64_t b = 0;
    for (; b + 4 <= B; b += 4) tile<NV, 4, W>(wt, bias, x, y, n, b, N, K);
    switch (B - b) {
        case 3: tile<NV, 3, W>(wt, bias, x, y, n, b, N, K); break;
        case 2: tile<NV, 2, W>(wt, bias, x, y, n, b, N, K); break;
        case 1: tile<NV, 1, W>(wt, bias, x, y, n, b, N, K); break;
        default: break;
    }
}

// Outputs [begin, end): blocks of 64, then of 16, then the last few one by one.
template <typename W>
inline __attribute__((always_inline)) void columns_of(const W* wt, const float* bias, const float* x, float* y,
                                                      std::int64_t begin, std::int64_t end, std::int64_t B,
                                                      std::int64_t N, std::int64_t K) {
    std::int64_t n = begin;
    for (; n + 4 * lanes <= end; n += 4 * lanes) column_block<4, W>(wt, bias, x, y, n, B, N, K);
    for (; n + lanes <= end; n += lanes) column_block<1, W>(wt, bias, x, y, n, B, N, K);
    for (; n < end; ++n)
        for (std::int64_t b = 0; b < B; ++b) {
            float s = bias[n];
            for (std::int64_t k = 0; k < K; ++k) s += x[b * K + k] * static_cast<float>(wt[k * N + n]);
            y[b * N + n] = s;
        }
}

// One clone set per weight type (GCC does not clone templates).
PIANOLA_VECTOR_CLONES
void columns(const float* wt, const float* bias, const float* x, float* y, std::int64_t begin, std::int64_t end,
             std::int64_t B, std::int64_t N, std::int64_t K) {
    columns_of(wt, bias, x, y, begin, end, B, N, K);
}

PIANOLA_VECTOR_CLONES
void columns(const c10::BFloat16* wt, const float* bias, const float* x, float* y, std::int64_t begin,
             std::int64_t end, std::int64_t B, std::int64_t N, std::int64_t K) {
    columns_of(wt, bias, x, y, begin, end, B, N, K);
}

template <typename W>
void split_columns(const W* wt, const float* bias, const float* x, float* y, std::int64_t B, std::int64_t N,
                   std::int64_t K) {
    // Each core takes a contiguous share of whole blocks of 64 outputs (at least 2 blocks), so the
    // cores split W between them rather than tiles.
    const std::int64_t block = 4 * lanes, blocks = (N + block - 1) / block;
    const int threads = static_cast<int>(std::clamp<std::int64_t>(blocks / 2, 1, compute_threads()));
#pragma omp parallel num_threads(threads)
    {
        const std::int64_t t = omp_get_thread_num();
        const std::int64_t begin = blocks * t / threads, end = blocks * (t + 1) / threads;
        columns(wt, bias, x, y, begin * block, std::min(end * block, N), B, N, K);
    }
}

}  // namespace

void step_product(const torch::Tensor& x, const torch::Tensor& wt, const torch::Tensor& bias, torch::Tensor& y) {
    const std::int64_t B = x.size(0), K = wt.size(0), N = wt.size(1);
    const float *bp = bias.data_ptr<float>(), *xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    if (wt.scalar_type() == torch::kBFloat16) {
        split_columns(wt.data_ptr<c10::BFloat16>(), bp, xp, yp, B, N, K);
    } else if (B == 1) {  // a matrix-vector product streams W once at memory speed; no tiles to gain
        torch::Tensor y0 = y[0];
        torch::addmv_out(y0, bias, wt.t(), x[0]);
    } else {
        split_columns(wt.data_ptr<float>(), bp, xp, yp, B, N, K);
    }
}

}  // namespace pianola::model
