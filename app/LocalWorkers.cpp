#include "LocalWorkers.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/core.h>

#include "runtime/ParallelFor.h"

namespace pianola::app {

namespace {

// This process' own arguments, as the kernel keeps them.
std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (std::size_t at = 0; at < all.size();) {
        const std::size_t end = all.find('\0', at);
        args.push_back(all.substr(at, end - at));
        at = end == std::string::npos ? all.size() : end + 1;
    }
    return args;
}

// The arguments without `--nproc N` and `--threads N` (in either spelling), which each worker gets anew.
std::vector<std::string> worker_arguments(std::vector<std::string> args, int threads_each) {
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--nproc" || a == "--threads") {
            ++i;
            continue;
        }
        if (a.starts_with("--nproc=") || a.starts_with("--threads=")) continue;
        kept.push_back(a);
    }
    kept.push_back("--threads");
    kept.push_back(std::to_string(threads_each));
    return kept;
}

// A port no one listens on now: the kernel picks it for a socket bound to port 0.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("no free port on 127.0.0.1 for the workers to meet at");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::string ending(int status) {
    if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
    return fmt::format("exited with status {}", WEXITSTATUS(status));
}

}  // namespace

void run_local_workers(int count, int threads) {
    const int cores = static_cast<int>(worker_count(threads, 1'000'000));
    const std::vector<std::string> args = worker_arguments(own_arguments(), std::max(1, cores / count));
    const int port = free_port();
    std::vector<pid_t> workers;
    for (int rank = 0; rank < count; ++rank) {
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("cannot start a worker process");
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the launcher
            ::setenv("RANK", std::to_string(rank).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(count).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            if (rank > 0) {
                const int null = ::open("/dev/null", O_WRONLY);
                ::dup2(null, STDOUT_FILENO);
            }
            std::vector<char*> argv;
            for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv("/proc/self/exe", argv.data());
            std::_Exit(127);
        }
        workers.push_back(pid);
    }

    std::string failure;
    for (std::size_t left = workers.size(); left > 0; --left) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) break;
        const auto rank = std::find(workers.begin(), workers.end(), pid) - workers.begin();
        workers[static_cast<std::size_t>(rank)] = 0;
        if (status == 0 || !failure.empty()) continue;
        failure = fmt::format("training worker rank {} {}; the other workers were stopped", rank, ending(status));
        for (const pid_t other : workers)
            if (other > 0) ::kill(other, SIGTERM);
    }
    if (!failure.empty()) throw std::runtime_error(failure);
}

}  // namespace pianola::app
