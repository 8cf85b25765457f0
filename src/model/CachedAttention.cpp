#include "model/CachedAttention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <omp.h>

#include "model/Bfloat16.h"
#include "model/VectorClones.h"
#include "runtime/Compute.h"

namespace pianola::model {

namespace {

// One head of one sequence: q (K); keys (K, C), transposed so that the scores of all positions
// grow together along a row, with no sum across vector lanes; values (C, K); distance (K, C), the
// distance table transposed; positions 0..N valid; scores (N + 1) scratch -> y (K).
// Cached keys and values are float32, or bfloat16 (model/Bfloat16) to halve what a step reads: the
// cache of a 6 x 384 model at 500 positions is 9 MB in float32.
template <typename E>
inline __attribute__((always_inline)) void attend_head_of(const float* q, const E* keys, const E* values,
                                                          const float* distance, float* scores, float* y,
                                                          std::int64_t N, std::int64_t K, std::int64_t C) {
    std::fill(scores, scores + N + 1, 0.0f);
    const float* e0 = distance + (C - 1 - N);  // key j is at distance N - j: table row C - 1 - N + j
    for (std::int64_t i = 0; i < K; ++i) {
        const float qi = q[i];
        const E* k = keys + i * C;
        const float* e = e0 + i * C;
#pragma omp simd
        for (std::int64_t j = 0; j <= N; ++j) scores[j] += qi * (widen(k[j]) + e[j]);
    }
    const float top = *std::max_element(scores, scores + N + 1);
    float total = 0;
    for (std::int64_t j = 0; j <= N; ++j) total += scores[j] = std::exp(scores[j] - top);
    std::fill(y, y + K, 0.0f);
    for (std::int64_t j = 0; j <= N; ++j) {
        const float w = scores[j] / total;
        const E* v = values + j * K;
#pragma omp simd
        for (std::int64_t i = 0; i < K; ++i) y[i] += w * widen(v[i]);
    }
}

// One clone set per cache type (GCC does not clone templates).
PIANOLA_VECTOR_CLONES
void attend_head(const float* q, const float* keys, const float* values, const float* distance, float* scores,
                 float* y, std::int64_t N, std::int64_t K, std::int64_t C) {
    attend_head_of(q, keys, values, distance, scores, y, N, K, C);
}

PIANOLA_VECTOR_CLONES
void attend_head(const float* q, const std::uint16_t* keys, const std::uint16_t* values, const float* distance,
                 float* scores, float* y, std::int64_t N, std::int64_t K, std::int64_t C) {
    attend_head_of(q, keys, values, distance, scores, y, N, K, C);
}

template <typename E>
void attend(const float* qp, E* kp, E* vp, const float* ep, float* yp, std::int64_t B, std::int64_t A,
            std::int64_t C, std::int64_t K, std::int64_t N) {
    const std::int64_t D = A * K;
    const float scale = 1.0f / std::sqrt(static_cast<float>(K));
    const int threads = static_cast<int>(std::clamp<std::int64_t>(B * A, 1, compute_threads()));
#pragma omp parallel num_threads(threads)
    {
        std::vector<float> q(static_cast<std::size_t>(K)), scores(static_cast<std::size_t>(N + 1));
#pragma omp for schedule(static)
        for (std::int64_t p = 0; p < B * A; ++p) {  // p = (sequence b, head a)
            const std::int64_t b = p / A, a = p % A;
            const float* row = qp + b * 3 * D + a * K;
            E *k = kp + p * K * C, *v = vp + p * C * K;
            for (std::int64_t i = 0; i < K; ++i) {
                q[i] = row[i] * scale;
                narrow(row[D + i], k[i * C + N]);
                narrow(row[2 * D + i], v[N * K + i]);
            }
            attend_head(q.data(), k, v, ep, scores.data(), yp + b * D + a * K, N, K, C);
        }
    }
}

}  // namespace

void attend_cached(const torch::Tensor& qkv, std::int64_t N, torch::Tensor& keys, torch::Tensor& values,
                   const torch::Tensor& distance, torch::Tensor& y) {
    const std::int64_t B = values.size(0), A = values.size(1), C = values.size(2), K = values.size(3);
    TORCH_CHECK(N < C, "position ", N, " is past the cache's ", C);
    const float *qp = qkv.data_ptr<float>(), *ep = distance.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    if (keys.scalar_type() == torch::kBFloat16)
        attend(qp, reinterpret_cast<std::uint16_t*>(keys.data_ptr<c10::BFloat16>()),
               reinterpret_cast<std::uint16_t*>(values.data_ptr<c10::BFloat16>()), ep, yp, B, A, C, K, N);
    else
        attend(qp, keys.data_ptr<float>(), values.data_ptr<float>(), ep, yp, B, A, C, K, N);
}

}  // namespace pianola::model
