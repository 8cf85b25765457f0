// Thread set-up reaches both libtorch and its BLAS, and the BLAS is OpenBLAS: scripts/setup.sh
// installs it, and without it every matrix product runs about 25x slower.
#include <gtest/gtest.h>

#include <thread>

#include <torch/torch.h>

#include "runtime/Compute.h"

using namespace pianola;

TEST(Compute, SetsTheThreadCountAndFindsOpenBlas) {
    const int before = torch::get_num_threads();
    const ComputeInfo two = configure_compute(2);
    EXPECT_EQ(two.threads, 2);
    EXPECT_EQ(torch::get_num_threads(), 2);
    EXPECT_TRUE(two.openblas) << two.blas;
    EXPECT_NE(two.blas.find("OpenBLAS"), std::string::npos) << two.blas;

    const ComputeInfo all = configure_compute(0);
    EXPECT_EQ(all.threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    configure_compute(before);
}
