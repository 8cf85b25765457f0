#include "model/StepProduct.h"

#include <algorithm>
#include <cstring>

#include <ATen/Parallel.h>

#include "model/VectorClones.h"

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

inline __attribute__((always_inline)) float lane_sum(Vec v) {
    float s = 0;
    for (int i = 0; i < lanes; ++i) s += v[i];
    return s;
}

// The tile of NR rows of w (from row r) by NB rows of x (from row b): NR x NB accumulators, so a
// vector of w, once loaded, meets NB vectors of x. Inlined into each clone of the caller.
template <int NR, int NB>
inline __attribute__((always_inline)) void tile(const float* w, const float* bias, const float* x, float* y,
                                                std::int64_t r, std::int64_t b, std::int64_t N, std::int64_t K) {
    Vec acc[NR][NB] = {};
    const std::int64_t k_vec = K - K % lanes;
    for (std::int64_t k = 0; k < k_vec; k += lanes) {
        Vec xv[NB];
        for (int j = 0; j < NB; ++j) xv[j] = load(x + (b + j) * K + k);
        for (int i = 0; i < NR; ++i) {
            const Vec wv = load(w + (r + i) * K + k);
            for (int j = 0; j < NB; ++j) acc[i][j] += wv * xv[j];
        }
    }
    for (int i = 0; i < NR; ++i)
        for (int j = 0; j < NB; ++j) {
            float s = bias[r + i] + lane_sum(acc[i][j]);
            for (std::int64_t k = k_vec; k < K; ++k) s += w[(r + i) * K + k] * x[(b + j) * K + k];
            y[(b + j) * N + r + i] = s;
        }
}

template <int NR>
inline __attribute__((always_inline)) void row_group(const float* w, const float* bias, const float* x, float* y,
                                                     std::int64_t r, std::int64_t B, std::int64_t N, std::int64_t K) {
    std::int64_t b = 0;
    for (; b + 4 <= B; b += 4) tile<NR, 4>(w, bias, x, y, r, b, N, K);
    switch (B - b) {
        case 3: tile<NR, 3>(w, bias, x, y, r, b, N, K); break;
        case 2: tile<NR, 2>(w, bias, x, y, r, b, N, K); break;
        case 1: tile<NR, 1>(w, bias, x, y, r, b, N, K); break;
        default: break;
    }
}

// Rows [begin, end) of w: groups of 4, then the rest one by one.
PIANOLA_VECTOR_CLONES
void rows(const float* w, const float* bias, const float* x, float* y, std::int64_t begin, std::int64_t end,
          std::int64_t B, std::int64_t N, std::int64_t K) {
    std::int64_t r = begin;
    for (; r + 4 <= end; r += 4) row_group<4>(w, bias, x, y, r, B, N, K);
    for (; r < end; ++r) row_group<1>(w, bias, x, y, r, B, N, K);
}

}  // namespace

void step_product(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias, torch::Tensor& y) {
    const std::int64_t B = x.size(0), N = w.size(0), K = w.size(1);
    if (B > step_product_max_rows) {
        torch::addmm_out(y, bias, x, w.t());
        return;
    }
    const float *wp = w.data_ptr<float>(), *bp = bias.data_ptr<float>(), *xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    // Whole groups of 4 rows, at least 64 rows a task, so the cores split W rather than tiles.
    at::parallel_for(0, (N + 3) / 4, 16, [&](std::int64_t begin, std::int64_t end) {
        rows(wp, bp, xp, yp, begin * 4, std::min(end * 4, N), B, N, K);
    });
}

}  // namespace pianola::model
