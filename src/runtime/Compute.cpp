#include "runtime/Compute.h"

#include <dlfcn.h>
#include <malloc.h>

#include <atomic>
#include <limits>
#include <thread>

#include <torch/torch.h>

namespace pianola {

namespace {

std::atomic<int> configured_threads{1};

}  // namespace

ComputeInfo configure_compute(int threads) {
    ComputeInfo info;
    info.threads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(1);
    configured_threads = info.threads;
    // Training allocates and frees tensors of many megabytes every step (a Transformer's attention
    // scores). glibc would map each one afresh and the kernel zero its pages on first touch: a
    // third of a Transformer step went to page faults. Freed memory is kept for reuse instead.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());

    // libtorch reaches BLAS through the system's libblas.so.3 alternative; only OpenBLAS exports these.
    using GetConfig = const char* (*)();
    using SetThreads = void (*)(int);
    auto get_config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    auto set_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    info.openblas = get_config != nullptr;
    info.blas = info.openblas ? get_config() : "not OpenBLAS (probably the reference BLAS)";
    if (set_threads) set_threads(info.threads);
    return info;
}

int compute_threads() { return configured_threads; }

LibtorchThreads::LibtorchThreads(int threads) { torch::set_num_threads(threads); }

LibtorchThreads::~LibtorchThreads() { torch::set_num_threads(1); }

}  // namespace pianola
