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
constexpr std::int64_t panel_width = 4 * lanes;  // outputs per panel of a bfloat16 weight

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

// Outputs [n, n + width) of pieces [b, b + NB), width <= 16 NV: NB x NV accumulators that start at
// the bias. Row k of the weights is at w + k * stride (a float32 weight transposed, at column n, or
// one bfloat16 panel, zero past N). Each step of k loads NV vectors of that row and meets each of
// them with NB inputs, so every load of W feeds NB multiply-adds and no sum across lanes is ever
// needed. A tile narrower than its vectors (a last panel) is stored through a buffer.
template <int NV, int NB, typename W>
inline __attribute__((always_inline)) void tile(const W* w, std::int64_t stride, const float* bias, const float* x,
                                                float* y, std::int64_t n, std::int64_t width, std::int64_t b,
                                                std::int64_t N, std::int64_t K) {
    constexpr std::int64_t full = NV * lanes;
    float start[full] = {};
    std::copy(bias + n, bias + n + width, start);
    Vec acc[NB][NV];
    for (int j = 0; j < NB; ++j)
        for (int v = 0; v < NV; ++v) acc[j][v] = load(start + v * lanes);
    for (std::int64_t k = 0; k < K; ++k) {
        Vec row[NV];
        for (int v = 0; v < NV; ++v) row[v] = load(w + k * stride + v * lanes);
        for (int j = 0; j < NB; ++j) {
            const float xs = x[(b + j) * K + k];
            for (int v = 0; v < NV; ++v) acc[j][v] += xs * row[v];
        }
    }
    for (int j = 0; j < NB; ++j) {
        float out[full];
        for (int v = 0; v < NV; ++v) store(out + v * lanes, acc[j][v]);
        std::copy(out, out + width, y + (b + j) * N + n);
    }
}

// The same outputs for all B pieces, 4 at a time.
template <int NV, typename W>
inline __attribute__((always_inline)) void all_pieces(const W* w, std::int64_t stride, const float* bias,
                                                      const float* x, float* y, std::int64_t n, std::int64_t width,
                                                      std::int64_t B, std::int64_t N, std::int64_t K) {
    std::int64_t b = 0;
    for (; b + 4 <= B; b += 4) tile<NV, 4>(w, stride, bias, x, y, n, width, b, N, K);
    switch (B - b) {
        case 3: tile<NV, 3>(w, stride, bias, x, y, n, width, b, N, K); break;
        case 2: tile<NV, 2>(w, stride, bias, x, y, n, width, b, N, K); break;
        case 1: tile<NV, 1>(w, stride, bias, x, y, n, width, b, N, K); break;
        default: break;
    }
}

// Outputs [begin, end) of a float32 weight transposed (K, N): blocks of 64, then of 16, then the
// last few one by one.
PIANOLA_VECTOR_CLONES
void columns(const float* wt, const float* bias, const float* x, float* y, std::int64_t begin, std::int64_t end,
             std::int64_t B, std::int64_t N, std::int64_t K) {
    std::int64_t n = begin;
    for (; n + 4 * lanes <= end; n += 4 * lanes) all_pieces<4>(wt + n, N, bias, x, y, n, 4 * lanes, B, N, K);
    for (; n + lanes <= end; n += lanes) all_pieces<1>(wt + n, N, bias, x, y, n, lanes, B, N, K);
    for (; n < end; ++n)
        for (std::int64_t b = 0; b < B; ++b) {
            float s = bias[n];
            for (std::int64_t k = 0; k < K; ++k) s += x[b * K + k] * wt[k * N + n];
            y[b * N + n] = s;
        }
}

// Panels [begin, end) of a bfloat16 weight (P, K, 64).
PIANOLA_VECTOR_CLONES
void panels(const c10::BFloat16* wt, const float* bias, const float* x, float* y, std::int64_t begin,
            std::int64_t end, std::int64_t B, std::int64_t N, std::int64_t K) {
    for (std::int64_t p = begin; p < end; ++p) {
        const std::int64_t n = p * panel_width;
        all_pieces<4>(wt + p * K * panel_width, panel_width, bias, x, y, n, std::min(panel_width, N - n), B, N, K);
    }
}

}  // namespace

torch::Tensor step_weight(const torch::Tensor& weight, torch::ScalarType type) {
    torch::NoGradGuard no_grad;
    if (type == torch::kFloat32) return weight.t().contiguous().detach();
    TORCH_CHECK(type == torch::kBFloat16, "step weights are float32 or bfloat16");
    const std::int64_t N = weight.size(0), K = weight.size(1), P = (N + panel_width - 1) / panel_width;
    const torch::Tensor padded = torch::constant_pad_nd(weight.detach(), {0, 0, 0, P * panel_width - N});  // (P 64, K)
    return padded.view({P, panel_width, K}).transpose(1, 2).to(torch::kBFloat16).contiguous();
}

void step_product(const torch::Tensor& x, const torch::Tensor& wt, const torch::Tensor& bias, torch::Tensor& y) {
    const std::int64_t B = x.size(0), K = x.size(1), N = y.size(1);
    const float *bp = bias.data_ptr<float>(), *xp = x.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    if (wt.scalar_type() == torch::kBFloat16) {
        // Each core streams a contiguous run of whole panels.
        const std::int64_t P = wt.size(0);
        const int threads = static_cast<int>(std::clamp<std::int64_t>(P / 2, 1, compute_threads()));
        const c10::BFloat16* wp = wt.data_ptr<c10::BFloat16>();
#pragma omp parallel num_threads(threads)
        {
            const std::int64_t t = omp_get_thread_num();
            panels(wp, bp, xp, yp, P * t / threads, P * (t + 1) / threads, B, N, K);
        }
        return;
    }
    if (B == 1) {  // a matrix-vector product streams W once at memory speed; no tiles to gain
        torch::Tensor y0 = y[0];
        torch::addmv_out(y0, bias, wt.t(), x[0]);
        return;
    }
    const float* wp = wt.data_ptr<float>();
    // Each core takes a contiguous share of whole blocks of 64 outputs (at least 4 blocks), so the
    // cores split W between them rather than tiles.
    const std::int64_t block = 4 * lanes, blocks = (N + block - 1) / block;
    const int threads = static_cast<int>(std::clamp<std::int64_t>(blocks / 4, 1, compute_threads()));
#pragma omp parallel num_threads(threads)
    {
        const std::int64_t t = omp_get_thread_num();
        const std::int64_t begin = blocks * t / threads, end = blocks * (t + 1) / threads;
        columns(wp, bp, xp, yp, begin * block, std::min(end * block, N), B, N, K);
    }
}

}  // namespace pianola::model
