#include "ComputeSetup.h"

#include <fmt/core.h>

namespace pianola::app {

ComputeInfo setup_compute(int threads) {
    const ComputeInfo info = configure_compute(threads);
    if (!info.openblas)
        fmt::print(stderr, "pianola: warning: libtorch is using {}: matrix products will be ~25x slower; "
                           "install libopenblas0-pthread (scripts/setup.sh does)\n", info.blas);
    return info;
}

}  // namespace pianola::app
