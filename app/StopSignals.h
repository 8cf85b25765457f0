// StopSignals: while it lives, SIGINT and SIGTERM call one function, once, on a thread of its own,
// so a long-running command (`pianola serve`, `pianola train`) can stop cleanly instead of being
// killed with its files half-kept; a second signal then ends the process as if none were caught.
// The handler only writes a byte to a pipe: nothing else is safe in a signal handler. It is not a
// general signal library: one object at a time, these two signals.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace pianola::app {

class StopSignals {
public:
    explicit StopSignals(std::function<void()> on_stop);
    // Restores the default handling; the function is not called after this returns.
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // SIGINT or SIGTERM once it has arrived, else 0.
    int received() const { return received_; }

private:
    std::function<void()> on_stop_;
    std::atomic<int> received_{0};
    std::thread watcher_;
};

}  // namespace pianola::app
