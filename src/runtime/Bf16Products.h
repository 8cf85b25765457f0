// Bf16Products: while one is alive, libtorch's CPU autocast runs matrix products (linear, matmul,
// bmm) in bfloat16 through oneDNN, with float32 weights kept as the master copy; everything else
// stays float32. On a CPU with AVX512-BF16 that doubles the products' speed; on one without it,
// oneDNN would emulate bfloat16 and be slower than float32, so there it does nothing.
// It is no numerical policy: the caller decides which results to take back to float32 (softmax
// inputs, logits).
#pragma once

namespace pianola {

// Whether this CPU multiplies bfloat16 natively (AVX512-BF16).
bool cpu_has_bf16();

class Bf16Products {
public:
    // wanted: the caller's setting (e.g. a model's bf16 option); products stay float32 unless the
    // CPU has bfloat16 too.
    explicit Bf16Products(bool wanted);
    ~Bf16Products();
    Bf16Products(const Bf16Products&) = delete;
    Bf16Products& operator=(const Bf16Products&) = delete;

    bool active() const { return active_; }

private:
    bool active_ = false, was_enabled_ = false;
};

}  // namespace pianola
