// ComposeJobs: the studio's queue of compositions. Each request becomes a job with an unguessable id
// and a folder of its own under one temporary folder, so outputs of requests made at the same time
// never mix; one worker thread runs the jobs in order, so libtorch is never driven from two threads
// at once and a burst of requests waits instead of competing for the cores. A job reports its stage
// (queued, composing, rendering, drawing, done or failed) for the page to poll. Only the newest
// finished jobs are kept (and every one for a minute after it finished); older ones are removed
// with their files, and all of them with the queue.
// What a job does is the Work given to the queue: the CLI's composition, rendering and plotting.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>

#include <nlohmann/json.hpp>

#include "web/ComposeOrder.h"

namespace pianola::web {

enum class JobStage { queued, composing, rendering, drawing, done, failed };

std::string_view stage_name(JobStage stage);

// The files a job writes, in its own folder: the only files the studio ever serves.
inline constexpr std::array<std::string_view, 3> result_names = {"piece.mid", "piece.wav", "piece.png"};

struct JobFiles {
    std::filesystem::path midi, wav, png;
    std::filesystem::path primer;  // empty when the order has none
};

struct JobStatus {
    JobStage stage = JobStage::queued;
    int ahead = 0;           // jobs to run before this one, the running one included
    double seconds = 0;      // since it was submitted, until it finished
    std::string error;       // why it failed
    ComposeOrder order;      // without the primer's bytes
    nlohmann::json piece;    // what the work said of the finished piece (null until done)
};

class ComposeJobs {
public:
    using Report = std::function<void(JobStage)>;
    // Runs on the worker thread; reports the stages after composing as it reaches them; returns what
    // the page needs to know of the piece beyond its files (the piano roll's geometry); throws on failure.
    using Work = std::function<nlohmann::json(const ComposeOrder&, const JobFiles&, const Report&)>;

    struct Limits {
        std::size_t waiting = 8;  // queued jobs; more is refused with 503
        std::size_t kept = 32;    // finished jobs whose files stay
        // A finished job stays this long whatever the count, so the page that asked for it sees it
        // even when many pieces finish at once.
        std::chrono::seconds kept_for{60};
    };

    ComposeJobs(Work work, Limits limits);
    // Lets the running job finish, drops the queued ones, removes every job's files.
    ~ComposeJobs();
    ComposeJobs(const ComposeJobs&) = delete;
    ComposeJobs& operator=(const ComposeJobs&) = delete;

    // Returns the job's id. Throws RequestError (503) when the queue is full.
    std::string submit(ComposeOrder order);

    std::optional<JobStatus> status(const std::string& id) const;

    // The file of a job that is done, by one of result_names; nothing for anything else.
    std::optional<std::filesystem::path> result(const std::string& id, std::string_view name) const;

    // Removes a finished job (done or failed) and its files: the page's delete. Throws RequestError:
    // 404 for an unknown job, 409 for one still queued or running.
    void remove(const std::string& id);

    // The folder the jobs' files are in.
    const std::filesystem::path& folder() const { return root_; }

private:
    using Clock = std::chrono::steady_clock;
    struct Job {
        ComposeOrder order;
        JobFiles files;
        JobStage stage = JobStage::queued;
        Clock::time_point submitted;
        std::optional<Clock::time_point> finished;
        std::string error;
        nlohmann::json piece;
    };

    void run();
    void set_stage(const std::string& id, JobStage stage);
    void finish(const std::string& id, JobStage stage, std::string error, nlohmann::json piece);
    std::string fresh_id();

    Work work_;
    Limits limits_;
    std::filesystem::path root_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, Job> jobs_;
    std::deque<std::string> queue_, finished_;
    std::optional<std::string> running_;
    bool stopping_ = false;
    std::random_device entropy_;
    std::thread worker_;  // last: it starts once everything it reads exists
};

}  // namespace pianola::web
