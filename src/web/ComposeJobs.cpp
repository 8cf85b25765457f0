#include "web/ComposeJobs.h"

#include <stdlib.h>

#include <algorithm>

#include <fmt/core.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "web/RequestError.h"

namespace pianola::web {

namespace {

// mkdtemp: a new folder only this user can read, so other users of the machine see no pieces.
std::filesystem::path make_root() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pianola-studio-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw FileError(pattern, "cannot create the studio's temporary folder");
    return pattern;
}

// libtorch's errors carry a backtrace after their first line; the page shows one line.
std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

}  // namespace

std::string_view stage_name(JobStage stage) {
    switch (stage) {
    case JobStage::queued: return "queued";
    case JobStage::composing: return "composing";
    case JobStage::rendering: return "rendering";
    case JobStage::drawing: return "drawing";
    case JobStage::done: return "done";
    case JobStage::failed: return "failed";
    }
    return "unknown";
}

ComposeJobs::ComposeJobs(Work work, Limits limits)
    : work_(std::move(work)), limits_(limits), root_(make_root()), worker_([this] { run(); }) {}

ComposeJobs::~ComposeJobs() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
}

std::string ComposeJobs::fresh_id() {
    for (;;) {
        const std::uint64_t value = (std::uint64_t{entropy_()} << 32) | entropy_();
        std::string id = fmt::format("{:016x}", value);
        if (!jobs_.contains(id)) return id;
    }
}

std::string ComposeJobs::submit(ComposeOrder order) {
    std::unique_lock lock(mutex_);
    if (queue_.size() >= limits_.waiting)
        throw RequestError(503, fmt::format("{} pieces are waiting already; try again when one is done", queue_.size()));
    const std::string id = fresh_id();
    Job job;
    const std::filesystem::path dir = root_ / id;
    std::filesystem::create_directory(dir);
    job.files = {dir / result_names[0], dir / result_names[1], dir / result_names[2], {}};
    if (!order.primer.empty()) {
        job.files.primer = dir / "primer.mid";
        write_file_atomically(job.files.primer, order.primer);
        order.primer.clear();
    }
    job.order = std::move(order);
    job.submitted = Clock::now();
    jobs_.emplace(id, std::move(job));
    queue_.push_back(id);
    lock.unlock();
    wake_.notify_one();
    return id;
}

std::optional<JobStatus> ComposeJobs::status(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto found = jobs_.find(id);
    if (found == jobs_.end()) return std::nullopt;
    const Job& job = found->second;
    JobStatus status{job.stage, 0, 0, job.error, job.order, job.piece};
    if (job.stage == JobStage::queued)
        status.ahead = static_cast<int>(std::find(queue_.begin(), queue_.end(), id) - queue_.begin()) +
                       (running_ ? 1 : 0);
    status.seconds = std::chrono::duration<double>(job.finished.value_or(Clock::now()) - job.submitted).count();
    return status;
}

std::optional<std::filesystem::path> ComposeJobs::result(const std::string& id, std::string_view name) const {
    std::lock_guard lock(mutex_);
    const auto found = jobs_.find(id);
    if (found == jobs_.end() || found->second.stage != JobStage::done) return std::nullopt;
    const JobFiles& files = found->second.files;
    for (const std::filesystem::path& path : {files.midi, files.wav, files.png})
        if (path.filename() == name) return path;
    return std::nullopt;
}

void ComposeJobs::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto found = jobs_.find(id);
    if (found == jobs_.end()) throw RequestError(404, "no such job: finished jobs are kept for a while only");
    if (!found->second.finished) throw RequestError(409, "that piece is still being composed");
    std::error_code ec;
    std::filesystem::remove_all(root_ / id, ec);
    jobs_.erase(found);
    finished_.erase(std::find(finished_.begin(), finished_.end(), id));
}

void ComposeJobs::set_stage(const std::string& id, JobStage stage) {
    std::lock_guard lock(mutex_);
    jobs_.at(id).stage = stage;
}

void ComposeJobs::finish(const std::string& id, JobStage stage, std::string error, nlohmann::json piece) {
    std::lock_guard lock(mutex_);
    Job& job = jobs_.at(id);
    job.stage = stage;
    job.error = std::move(error);
    job.piece = std::move(piece);
    const Clock::time_point now = Clock::now();
    job.finished = now;
    running_.reset();
    finished_.push_back(id);
    while (finished_.size() > limits_.kept && now - *jobs_.at(finished_.front()).finished >= limits_.kept_for) {
        std::error_code ec;
        std::filesystem::remove_all(root_ / finished_.front(), ec);
        jobs_.erase(finished_.front());
        finished_.pop_front();
    }
}

void ComposeJobs::run() {
    for (;;) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        const std::string id = queue_.front();
        queue_.pop_front();
        running_ = id;
        Job& job = jobs_.at(id);
        job.stage = JobStage::composing;
        const ComposeOrder order = job.order;
        const JobFiles files = job.files;
        lock.unlock();
        try {
            nlohmann::json piece = work_(order, files, [this, &id](JobStage stage) { set_stage(id, stage); });
            finish(id, JobStage::done, {}, std::move(piece));
        } catch (const std::exception& e) {
            finish(id, JobStage::failed, first_line(e.what()), nullptr);
        }
    }
}

}  // namespace pianola::web
