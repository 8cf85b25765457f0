// Sets the thread count for a command and warns, once, when libtorch's BLAS is not OpenBLAS.
#pragma once

#include "runtime/Compute.h"

namespace pianola::app {

ComputeInfo setup_compute(int threads);

}  // namespace pianola::app
