// LstmCell: the element-wise half of one LSTM time step, forward and backward, each one pass over
// memory. The matrix products around it (input and recurrent projections, weight gradients) are
// BLAS calls made by LstmLayerFunction and Lstm; this file holds no tensor logic and no threads:
// one step of a 64 x 512 batch is ~70 us here, far below the products, and a second thread pool
// spinning beside OpenBLAS's would slow those down more than it saves.
//
// Gate order and shapes are torch::nn::LSTM's: a gate row of a batch entry is [i | f | g | o], each
// H wide. Shapes: B batch, H hidden. All pointers are contiguous row-major float32.
#pragma once

#include <cstdint>

namespace pianola::model {

// gates (B, 4H): pre-activations in, activations [sigmoid i | sigmoid f | tanh g | sigmoid o] out.
// c_prev (B, H) -> c (B, H) = f * c_prev + i * g, h (B, H) = o * tanh(c).
// c may be c_prev (updated in place); h must not overlap gates.
void lstm_cell_forward(float* gates, const float* c_prev, float* c, float* h, std::int64_t B, std::int64_t H);

// The gradient of one step, given the activations and cells lstm_cell_forward saved.
// dy (B, H): the gradient reaching h_t from the layer's output; dh (B, H): from step t+1.
// dc (B, H): in, the gradient reaching c_t from step t+1; out, the gradient reaching c_prev.
// dgates (B, 4H) out: the gradient of the pre-activations [di | df | dg | do].
void lstm_cell_backward(const float* gates, const float* c_prev, const float* c, const float* dy, const float* dh,
                        float* dc, float* dgates, std::int64_t B, std::int64_t H);

}  // namespace pianola::model
