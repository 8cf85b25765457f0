// ParallelFor: runs a function for every index of a range on a few threads, for work that is
// many independent files. Each worker takes the next index not yet taken, so uneven items
// balance; results that land at their item's index do not depend on which thread ran what.
// It is not a thread pool: the threads live for one call.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace pianola {

// Every core when threads <= 0, never more threads than items; the calling thread is one of them.
inline std::size_t worker_count(int threads, std::size_t items) {
    const std::size_t wanted = threads > 0 ? static_cast<std::size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, std::min(wanted, items));
}

// `work(i)` must not throw: an exception on a worker thread would end the program.
template <typename Work>
void parallel_for(std::size_t count, int threads, Work&& work) {
    std::atomic<std::size_t> next{0};
    auto run = [&] {
        for (std::size_t i = next++; i < count; i = next++) work(i);
    };
    std::vector<std::jthread> workers;
    for (std::size_t t = 1; t < worker_count(threads, count); ++t) workers.emplace_back(run);
    run();
}

}  // namespace pianola
