#include "StopSignals.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace pianola::app {

namespace {

int pipe_fds[2] = {-1, -1};

void on_signal(int signal) {
    const int saved = errno;
    const char byte = static_cast<char>(signal);
    [[maybe_unused]] const ssize_t written = write(pipe_fds[1], &byte, 1);
    errno = saved;
}

void handle(void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

}  // namespace

StopSignals::StopSignals(std::function<void()> on_stop) : on_stop_(std::move(on_stop)) {
    if (pipe(pipe_fds) != 0) throw std::runtime_error("cannot create a pipe for signals");
    // A zero byte from the destructor ends the watcher without calling on_stop.
    watcher_ = std::thread([this] {
        char byte = 0;
        while (read(pipe_fds[0], &byte, 1) < 0 && errno == EINTR) {
        }
        if (byte == 0) return;
        handle(SIG_DFL);  // a second signal ends the process at once: the clean stop may take a while
        received_ = byte;
        on_stop_();
    });
    handle(on_signal);
}

StopSignals::~StopSignals() {
    handle(SIG_DFL);
    const char stop = 0;
    [[maybe_unused]] const ssize_t written = write(pipe_fds[1], &stop, 1);
    watcher_.join();
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

}  // namespace pianola::app
