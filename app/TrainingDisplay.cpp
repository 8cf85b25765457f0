#include "TrainingDisplay.h"

#include <cstdio>
#include <string>
#include <unistd.h>

#include <fmt/core.h>

namespace pianola::app {

static std::string clock_time(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                     : fmt::format("{}:{:02}", s / 60, s % 60);
}

TrainingDisplay::TrainingDisplay()
    : terminal_(::isatty(STDERR_FILENO) != 0), start_(Clock::now()), last_draw_(start_) {}

void TrainingDisplay::step(const train::StepReport& r) {
    const auto now = Clock::now();
    const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    if (since_draw < (terminal_ ? 0.1 : 30.0) && r.step != r.steps) return;
    last_draw_ = now;

    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double done = static_cast<double>(r.epoch - 1) * static_cast<double>(r.steps) + static_cast<double>(r.step);
    const double total = static_cast<double>(r.epochs) * static_cast<double>(r.steps);
    const double eta = elapsed / done * (total - done);
    const std::string stats = fmt::format("epoch {}/{} step {}/{} loss {:.4f} {:.0f} samples/s ETA {}", r.epoch,
                                          r.epochs, r.step, r.steps, r.loss, r.samples_per_s, clock_time(eta));
    if (terminal_) {
        constexpr int width = 24;
        const int filled = static_cast<int>(width * r.step / r.steps);
        fmt::print(stderr, "\r[{}{}] {}\x1b[K", std::string(filled, '#'), std::string(width - filled, '.'), stats);
    } else if (r.step != r.steps) {
        fmt::print(stderr, "{}\n", stats);
    }
    std::fflush(stderr);
}

void TrainingDisplay::epoch(const train::EpochReport& r) {
    if (terminal_) fmt::print(stderr, "\r\x1b[K");
    fmt::print(stderr, "epoch {} loss {:.4f} ({:.1f} s, {:.0f} samples/s){}{}\n", r.epoch, r.loss, r.seconds,
               r.samples_per_s, r.complete ? "" : ", cut short by the time budget", r.saved ? ", saved" : "");
}

}  // namespace pianola::app
