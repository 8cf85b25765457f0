#include "web/TrainingRuns.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>

#include <fmt/core.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "web/RequestError.h"

namespace pianola::web {

namespace fs = std::filesystem;

namespace {

constexpr const char* model_file = "model.pianola";
constexpr std::size_t uploads_kept = 4;

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TrainingState state_from(std::string_view name) {
    for (const TrainingState s : {TrainingState::running, TrainingState::stopping, TrainingState::stopped,
                                  TrainingState::done, TrainingState::failed})
        if (state_name(s) == name) return s;
    return TrainingState::failed;
}

// The worker's stdout into the log, its stderr into worker.log; its own process group, so a stop
// reaches it and its children and a Ctrl-C meant for the server does not; and SIGINT, a clean
// stop, should the server die without stopping it. Between fork and exec only async-signal-safe
// calls: the server has threads.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const pid_t parent = getpid();
    const pid_t pid = in_fd >= 0 && out_fd >= 0 && err_fd >= 0 ? fork() : -1;
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGINT);
        if (getppid() != parent) _exit(1);
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        close_range(3, ~0U, 0);  // the server's sockets stay the server's
        execv(args[0], args.data());
        constexpr char message[] = "cannot start the training worker\n";
        [[maybe_unused]] const ssize_t written = write(2, message, sizeof message - 1);
        _exit(127);
    }
    for (const int fd : {in_fd, out_fd, err_fd})
        if (fd >= 0) close(fd);
    if (pid < 0) throw std::runtime_error("cannot start a worker process for the training");
    setpgid(pid, pid);  // here too, so a stop sent at once finds the group the child may not have made yet
    return pid;
}

std::string last_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return last;
}

bool alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

std::string fresh_id() {
    thread_local std::random_device entropy;
    return fmt::format("{:08x}{:08x}", entropy(), entropy());
}

}  // namespace

std::string_view state_name(TrainingState state) {
    switch (state) {
    case TrainingState::running: return "running";
    case TrainingState::stopping: return "stopping";
    case TrainingState::stopped: return "stopped";
    case TrainingState::done: return "done";
    case TrainingState::failed: return "failed";
    }
    return "failed";
}

// training.json: what was asked and where it stands.
struct TrainingRuns::Saved {
    TrainingOrder order;
    TrainingState state = TrainingState::running;
    std::string error;
    double started = 0;
    pid_t pid = 0;  // its worker's latest process, to know after a restart whether it still runs
};

TrainingRuns::TrainingRuns(fs::path state, fs::path models, Launch launch)
    : state_(std::move(state)), trainings_(state_ / "trainings"), uploads_(state_ / "uploads"),
      models_(std::move(models)), launch_(std::move(launch)) {
    fs::create_directories(trainings_);
    fs::create_directories(uploads_);
    for (const fs::directory_entry& entry : fs::directory_iterator(trainings_)) {
        const std::string name = entry.path().filename().string();
        std::optional<Saved> saved = load(name);
        if (!saved || (saved->state != TrainingState::running && saved->state != TrainingState::stopping)) continue;
        saved->state = TrainingState::stopped;
        saved->error = "the studio stopped while it trained";
        if (!alive(saved->pid) && fs::exists(entry.path() / model_file))
            fs::rename(entry.path() / model_file, models_ / (name + ".pianola"));
        save(name, *saved);
    }
}

TrainingRuns::~TrainingRuns() {
    {
        const std::lock_guard lock(mutex_);
        if (running_) {
            stop_asked_ = true;
            if (pid_ > 0) kill(-pid_, SIGINT);
        }
    }
    if (worker_.joinable()) worker_.join();
}

void TrainingRuns::save(const std::string& name, const Saved& s) const {
    const nlohmann::json json = {{"name", s.order.name}, {"preset", s.order.preset}, {"minutes", s.order.minutes},
                                 {"fill_rate", s.order.fill_rate}, {"state", state_name(s.state)}, {"error", s.error}, {"started", s.started},
                                 {"pid", s.pid}};
    write_file_atomically(trainings_ / name / "training.json", json.dump(2) + "\n");
}

std::optional<TrainingRuns::Saved> TrainingRuns::load(const std::string& name) const {
    try {
        const std::vector<std::uint8_t> bytes = read_file(trainings_ / name / "training.json");
        const nlohmann::json json = nlohmann::json::parse(bytes.begin(), bytes.end());
        Saved s;
        s.order = {json.at("name"), json.at("preset"), json.at("minutes"), json.value("fill_rate", 0.0)};
        s.state = state_from(json.at("state").get<std::string>());
        s.error = json.value("error", "");
        s.started = json.value("started", 0.0);
        s.pid = json.value("pid", 0);
        return s;
    } catch (const std::exception&) {
        return std::nullopt;  // not a training's folder, or one from a damaged disk: not listed
    }
}

fs::path TrainingRuns::upload_folder() {
    const std::lock_guard lock(mutex_);
    std::vector<fs::directory_entry> old{fs::directory_iterator(uploads_), fs::directory_iterator()};
    std::sort(old.begin(), old.end(),
              [](const auto& a, const auto& b) { return a.last_write_time() > b.last_write_time(); });
    for (std::size_t i = uploads_kept - 1; i < old.size(); ++i) fs::remove_all(old[i].path());
    return uploads_ / fresh_id();
}

void TrainingRuns::join_finished() {
    if (!running_ && worker_.joinable()) worker_.join();
}

void TrainingRuns::start(const TrainingOrder& order, const std::string& upload) {
    static const std::regex name_pattern("[A-Za-z0-9_-]{1,64}");
    static const std::regex upload_pattern("[0-9a-f]{16}");
    if (!std::regex_match(order.name, name_pattern))
        throw RequestError(400, "a model's name is 1 to 64 letters, digits, '-' and '_'");
    if (!std::regex_match(upload, upload_pattern) || !fs::is_directory(uploads_ / upload))
        throw RequestError(404, "no such upload: send the files again");
    const std::lock_guard lock(mutex_);
    join_finished();
    if (running_) throw RequestError(409, fmt::format("'{}' is training: one training at a time", *running_));
    if (fs::exists(trainings_ / order.name) || fs::exists(models_ / (order.name + ".pianola")))
        throw RequestError(409, fmt::format("the name '{}' is taken: choose another, or delete that training", order.name));
    fs::create_directories(trainings_ / order.name);
    fs::rename(uploads_ / upload, trainings_ / order.name / "corpus");
    save(order.name, {order, TrainingState::running, "", unix_now(), 0});
    launch(order.name, false);
}

void TrainingRuns::stop(const std::string& name) {
    const std::lock_guard lock(mutex_);
    std::optional<Saved> saved = load(name);
    if (!saved) throw RequestError(404, "no such training");
    if (running_ != name) throw RequestError(409, fmt::format("'{}' is not training", name));
    if (stop_asked_) return;
    stop_asked_ = true;
    if (pid_ > 0) kill(-pid_, SIGINT);
    saved->state = TrainingState::stopping;
    save(name, *saved);
}

void TrainingRuns::resume(const std::string& name) {
    const std::lock_guard lock(mutex_);
    std::optional<Saved> saved = load(name);
    if (!saved) throw RequestError(404, "no such training");
    join_finished();
    if (saved->state != TrainingState::stopped && saved->state != TrainingState::failed)
        throw RequestError(409, fmt::format("'{}' is {}: only a stopped or failed training resumes", name,
                                            state_name(saved->state)));
    if (running_) throw RequestError(409, fmt::format("'{}' is training: one training at a time", *running_));
    if (alive(saved->pid))
        throw RequestError(409, "its worker from before the studio restarted is still finishing: try again in a minute");
    saved->state = TrainingState::running;
    saved->error.clear();
    saved->started = unix_now();
    save(name, *saved);
    launch(name, true);
}

void TrainingRuns::remove(const std::string& name) {
    const std::lock_guard lock(mutex_);
    if (!load(name)) throw RequestError(404, "no such training");
    if (running_ == name) throw RequestError(409, fmt::format("'{}' is training: stop it first", name));
    fs::remove_all(trainings_ / name);
}

// Under the lock.
void TrainingRuns::launch(const std::string& name, bool resume) {
    const fs::path folder = trainings_ / name;
    const Saved saved = *load(name);
    TrainingPlan plan{folder / "corpus", folder / model_file, saved.order.preset, saved.order.minutes,
                      saved.order.fill_rate, false};
    plan.resume = resume && fs::exists(folder / (std::string(model_file) + ".checkpoint"));
    running_ = name;
    stop_asked_ = false;
    worker_ = std::thread(&TrainingRuns::run, this, name, plan);
}

void TrainingRuns::run(std::string name, TrainingPlan plan) {
    const fs::path folder = trainings_ / name;
    std::string error;
    try {
        for (const std::vector<std::string>& argv : launch_(plan)) {
            const pid_t pid = spawn(argv, folder / "log.jsonl", folder / "worker.log");
            {
                const std::lock_guard lock(mutex_);
                pid_ = pid;
                if (stop_asked_) kill(-pid, SIGINT);  // asked while no process ran
                Saved saved = *load(name);
                saved.pid = pid;
                save(name, saved);
            }
            int status = 0;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            const std::lock_guard lock(mutex_);
            pid_ = 0;
            if (stop_asked_) break;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                error = last_line(folder / "worker.log");
                if (error.empty())
                    error = WIFSIGNALED(status) ? fmt::format("the worker was ended by signal {}", WTERMSIG(status))
                                                : fmt::format("the worker failed (exit status {})", WEXITSTATUS(status));
                break;
            }
        }
        if (fs::exists(plan.model)) fs::rename(plan.model, models_ / (name + ".pianola"));
    } catch (const std::exception& e) {
        error = e.what();
    }
    const std::lock_guard lock(mutex_);
    if (std::optional<Saved> saved = load(name)) {
        saved->state = stop_asked_ ? TrainingState::stopped : error.empty() ? TrainingState::done : TrainingState::failed;
        saved->error = stop_asked_ ? "" : error;
        save(name, *saved);
    }
    running_.reset();
    stop_asked_ = false;
}

std::optional<TrainingStatus> TrainingRuns::status(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    return read_status(name, true);
}

// Under the lock.
std::optional<TrainingStatus> TrainingRuns::read_status(const std::string& name, bool with_log) const {
    const std::optional<Saved> saved = load(name);
    if (!saved) return std::nullopt;
    TrainingStatus status{saved->order, saved->state, saved->error, saved->started, 0, {}};
    const fs::path corpus = trainings_ / name / "corpus";
    if (fs::is_directory(corpus))
        status.pieces = static_cast<std::size_t>(std::distance(fs::directory_iterator(corpus), fs::directory_iterator()));
    if (!with_log) return status;
    std::ifstream log(trainings_ / name / "log.jsonl");
    std::string line;
    while (std::getline(log, line)) {
        nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
        if (json.is_object()) status.log.push_back(std::move(json));
    }
    return status;
}

std::vector<TrainingStatus> TrainingRuns::list() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(trainings_)) names.push_back(entry.path().filename().string());
    std::vector<TrainingStatus> out;
    const std::lock_guard lock(mutex_);
    for (const std::string& name : names)
        if (std::optional<TrainingStatus> s = read_status(name, false)) out.push_back(std::move(*s));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.started > b.started; });
    return out;
}

}  // namespace pianola::web
