// Compute: how many cores pianola uses, and which BLAS does its matrix products. The cores go to
// OpenBLAS (the products, nearly all the work) and to pianola's own step kernel (model/StepProduct);
// libtorch's own OpenMP pool stays at one thread: its threads spin for a while after every
// element-wise operation and starve OpenBLAS's. Measured with `bench train` on the default preset's
// sizes: 7,500 tokens/s with both pools at 2 threads, 14,800 with libtorch's at 1. It also keeps
// freed memory in the process (glibc's malloc), so that large tensors are not mapped afresh and
// page-faulted on every training step: 2,170 against 3,110 tokens/s for the 4x256 Transformer.
#pragma once

#include <string>

namespace pianola {

struct ComputeInfo {
    int threads = 1;
    std::string blas;          // OpenBLAS's own description, or a note that it is something else
    bool openblas = false;     // false: matrix products likely run on the reference BLAS (~25x slower)
};

// threads <= 0 means every core. Call once, before any tensor work.
ComputeInfo configure_compute(int threads);

// The count configure_compute set (1 before it is called).
int compute_threads();

// While alive, libtorch's own pool has `threads` threads (then back to one): for work whose products
// run on it (oneDNN's bfloat16 products, libtorch's element-wise kernels) rather than on OpenBLAS.
class LibtorchThreads {
public:
    explicit LibtorchThreads(int threads);
    ~LibtorchThreads();
    LibtorchThreads(const LibtorchThreads&) = delete;
    LibtorchThreads& operator=(const LibtorchThreads&) = delete;
};

}  // namespace pianola
