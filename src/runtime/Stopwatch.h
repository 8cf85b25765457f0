// Stopwatch: seconds elapsed on the steady clock, the one way pianola times its own work
// (training rates and budgets, the durations commands print, benchmarks). Not a profiler.
#pragma once

#include <chrono>

namespace pianola {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace pianola
