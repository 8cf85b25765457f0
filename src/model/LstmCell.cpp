#include "model/LstmCell.h"

#include <algorithm>
#include <bit>

#include "model/VectorClones.h"

namespace pianola::model {

namespace {

// e^x written so that the loops calling it vectorize (std::exp is a scalar libm call):
// e^x = 2^k * e^r with k = round(x / ln 2), |r| <= ln(2) / 2, and e^r by its Taylor series to
// r^7, whose truncation error (< 6e-9) is below float rounding. x is clamped to where 2^k is a
// normal float; the gates saturate long before.
inline float exp_vectorizable(float x) {
    x = std::min(std::max(x, -87.0f), 88.0f);
    constexpr float round_shift = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
    const float k = (x * 1.44269504f + round_shift) - round_shift;
    const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;  // ln 2 in two parts keeps r accurate
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * std::bit_cast<float>((static_cast<int>(k) + 127) << 23);
}

inline float sigmoid(float x) { return 1.0f / (1.0f + exp_vectorizable(-x)); }

inline float tanh_vectorizable(float x) { return 2.0f / (1.0f + exp_vectorizable(-2.0f * x)) - 1.0f; }

}  // namespace

PIANOLA_VECTOR_CLONES
void lstm_cell_forward(float* gates, const float* c_prev, float* c, float* h, std::int64_t B, std::int64_t H) {
    for (std::int64_t b = 0; b < B; ++b) {
        float* gi = gates + b * 4 * H;
        float* gf = gi + H;
        float* gg = gf + H;
        float* go = gg + H;
        const float* cp = c_prev + b * H;
        float* cb = c + b * H;
        float* hb = h + b * H;
#pragma omp simd
        for (std::int64_t j = 0; j < H; ++j) {
            const float i = sigmoid(gi[j]), f = sigmoid(gf[j]), g = tanh_vectorizable(gg[j]), o = sigmoid(go[j]);
            const float cell = f * cp[j] + i * g;
            gi[j] = i;
            gf[j] = f;
            gg[j] = g;
            go[j] = o;
            cb[j] = cell;
            hb[j] = o * tanh_vectorizable(cell);
        }
    }
}

PIANOLA_VECTOR_CLONES
void lstm_cell_backward(const float* gates, const float* c_prev, const float* c, const float* dy, const float* dh,
                        float* dc, float* dgates, std::int64_t B, std::int64_t H) {
    for (std::int64_t b = 0; b < B; ++b) {
        const float* gi = gates + b * 4 * H;
        const float* gf = gi + H;
        const float* gg = gf + H;
        const float* go = gg + H;
        float* di = dgates + b * 4 * H;
        float* df = di + H;
        float* dg = df + H;
        float* d_o = dg + H;
        const std::int64_t row = b * H;
#pragma omp simd
        for (std::int64_t j = 0; j < H; ++j) {
            const float i = gi[j], f = gf[j], g = gg[j], o = go[j];
            const float tc = tanh_vectorizable(c[row + j]);
            const float dht = dy[row + j] + dh[row + j];
            const float dct = dc[row + j] + dht * o * (1.0f - tc * tc);
            di[j] = dct * g * i * (1.0f - i);
            df[j] = dct * c_prev[row + j] * f * (1.0f - f);
            dg[j] = dct * i * (1.0f - g * g);
            d_o[j] = dht * tc * o * (1.0f - o);
            dc[row + j] = dct * f;
        }
    }
}

}  // namespace pianola::model
