// Thread set-up gives the cores to OpenBLAS and the step kernel and one thread to libtorch's own
// pool, and the BLAS is OpenBLAS: scripts/setup.sh installs it, and without it every matrix
// product runs about 25x slower.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <thread>

#include <torch/torch.h>

#include "runtime/Compute.h"

using namespace pianola;

TEST(Compute, SetsTheThreadCountAndFindsOpenBlas) {
    const int before = compute_threads();
    const ComputeInfo two = configure_compute(2);
    EXPECT_EQ(two.threads, 2);
    EXPECT_EQ(compute_threads(), 2);
    EXPECT_EQ(torch::get_num_threads(), 1);  // libtorch's own pool: see Compute.h
    using GetThreads = int (*)();
    const auto openblas_threads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    ASSERT_NE(openblas_threads, nullptr);
    EXPECT_EQ(openblas_threads(), 2);
    EXPECT_TRUE(two.openblas) << two.blas;
    EXPECT_NE(two.blas.find("OpenBLAS"), std::string::npos) << two.blas;

    const ComputeInfo all = configure_compute(0);
    EXPECT_EQ(all.threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    configure_compute(before);
}
