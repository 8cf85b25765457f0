// Compute: how many cores libtorch and its BLAS may use, and which BLAS that is.
// libtorch starts with one thread here and OpenBLAS with its own pool, so both are set together:
// a thread count that governs only one of them would make timings and results depend on luck.
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

}  // namespace pianola
