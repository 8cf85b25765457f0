// TrainingRuns: the studio's trainings, one at a time, each in a worker process of its own (what the
// CLI's Launch says to run: `pianola baseline` then `pianola train --json`, the same code path as
// the command line), so the server stays responsive and composing goes on meanwhile. Everything a
// training is lives in its folder under the studio's state folder, so it survives a restart of the
// server: its corpus (an upload, moved in), `training.json` (what was asked and where it stands),
// `log.jsonl` (the worker's JSON lines: the baseline, each epoch, the summary), `worker.log` (its
// prose) and the model being trained, which is moved among the studio's models when the worker
// ends. A stop is SIGINT to the worker, which ends training as a spent budget does (the best model
// kept, a checkpoint for resume). A training that was running when the server went down is listed
// as stopped on the next start, with resume offered. It is not a job scheduler: no queue, no
// priorities, one worker.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace pianola::web {

struct TrainingOrder {
    std::string name;    // the model's name: letters, digits, '-' and '_'
    std::string preset;
    double minutes = 10;  // the time budget, the calibration after training included
    double fill_rate = 0;  // the share of pieces laid out to fill in the middle (train --fill-rate)
};

// What the worker is to do, for Launch to spell as command lines.
struct TrainingPlan {
    std::filesystem::path corpus;  // the training's MIDI files
    std::filesystem::path model;   // the model file to write (its checkpoint beside it)
    std::string preset;
    double minutes = 10;
    double fill_rate = 0;
    bool resume = false;
};

enum class TrainingState { running, stopping, stopped, done, failed };
std::string_view state_name(TrainingState state);

struct TrainingStatus {
    TrainingOrder order;
    TrainingState state = TrainingState::running;
    std::string error;          // failed: the worker's last words; stopped by a restart: that
    double started = 0;         // Unix seconds of the latest start or resume
    std::size_t pieces = 0;     // MIDI files in its corpus
    std::vector<nlohmann::json> log;  // the worker's JSON lines, in order, over every resume
};

class TrainingRuns {
public:
    // argv lists run in turn, each one's stdout appended to the log; a failing one ends the run.
    using Launch = std::function<std::vector<std::vector<std::string>>(const TrainingPlan&)>;

    // Reads the trainings kept in `state` (created when missing); those a previous server left
    // running are listed as stopped. `models`: where finished models go.
    TrainingRuns(std::filesystem::path state, std::filesystem::path models, Launch launch);
    // Stops a running worker (SIGINT) and waits for it: its best model is kept.
    ~TrainingRuns();
    TrainingRuns(const TrainingRuns&) = delete;
    TrainingRuns& operator=(const TrainingRuns&) = delete;

    // A fresh, empty folder for an upload; only the newest few uploads are kept.
    std::filesystem::path upload_folder();
    // Starts a training on an upload (its id: the upload folder's name), which moves into the
    // training. Throws RequestError: 400 for a bad name, 404 for no such upload, 409 when a
    // training runs or the name is taken by a training or a model.
    void start(const TrainingOrder& order, const std::string& upload);
    // Throws RequestError: 404 for no such training, 409 when it is not running.
    void stop(const std::string& name);
    // Throws RequestError: 404, or 409 when it is not stopped or another one runs.
    void resume(const std::string& name);
    // Removes a training that is not running, with its corpus and checkpoint (its model, if
    // published, stays among the models). Throws RequestError: 404, 409.
    void remove(const std::string& name);

    std::vector<TrainingStatus> list() const;  // newest first, without logs
    std::optional<TrainingStatus> status(const std::string& name) const;

private:
    struct Saved;
    void launch(const std::string& name, bool resume);
    void run(std::string name, TrainingPlan plan);
    void save(const std::string& name, const Saved& saved) const;
    std::optional<Saved> load(const std::string& name) const;
    std::optional<TrainingStatus> read_status(const std::string& name, bool with_log) const;
    void join_finished();

    std::filesystem::path state_, trainings_, uploads_, models_;
    Launch launch_;
    mutable std::mutex mutex_;
    std::optional<std::string> running_;  // the training whose worker runs
    pid_t pid_ = 0;                       // its current process; 0 between processes
    bool stop_asked_ = false;
    std::thread worker_;
};

}  // namespace pianola::web
