// StudioServer: the web studio's HTTP server (cpp-httplib), the routes of `pianola serve`. It
// serves the page's own files, lists the models, takes compositions into ComposeJobs, reports
// their progress, and serves a finished job's three files by job id and fixed name: nothing a
// request names is ever used as a path. Every refusal is a 4xx with a JSON {"error": message} the
// page shows. It binds to 127.0.0.1 unless told otherwise, and answers only requests that name it
// in their Host header and changes asked from its own page (web/RequestOrigin). What composing does is the Work the
// CLI hands in, and the page's files come from the CLI too (compiled into the binary). Training
// from the page takes uploads (web/CorpusUpload) into TrainingRuns, whose worker processes run what
// the CLI's Launch says; everything the studio keeps counts against one disk quota.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "web/ComposeJobs.h"
#include "web/ComposeOrder.h"
#include "web/CorpusUpload.h"
#include "web/DiskQuota.h"
#include "web/ModelShelf.h"
#include "web/TrainingForm.h"
#include "web/TrainingRuns.h"

namespace httplib {
class Server;
}

namespace pianola::web {

struct StaticFile {
    std::string path;  // as requested: "/studio.js"
    std::string content_type;
    std::string_view body;
};

struct StudioConfig {
    std::string host = "127.0.0.1";
    int port = 8080;                  // 0: any free port (bind() says which)
    std::filesystem::path models = ".";
    std::vector<StaticFile> page;     // "/" serves the first
    ComposeLimits limits;
    ComposeJobs::Limits queue;
    // Training from the page: uploads and trainings are kept in `state` (empty: a hidden folder in
    // the models folder), so they outlive the server.
    std::filesystem::path state;
    UploadLimits uploads;
    TrainingLimits training;
    std::uintmax_t quota_bytes = std::uintmax_t{4} << 30;  // models, trainings, uploads and pieces together
};

class StudioServer {
public:
    // Throws FileError when the models folder is missing. Without `launch` the studio composes only:
    // its training routes answer 404.
    StudioServer(StudioConfig config, ComposeJobs::Work work, TrainingRuns::Launch launch = {});
    ~StudioServer();
    StudioServer(const StudioServer&) = delete;
    StudioServer& operator=(const StudioServer&) = delete;

    // Returns the port bound. Throws std::runtime_error when the address cannot be had.
    int bind();
    // Answers requests until stop(); bind() first.
    void serve();
    // From any thread, before or during serve().
    void stop();

private:
    void add_routes();
    void add_training_routes();
    TrainingRuns& trainings();

    StudioConfig config_;
    ModelShelf shelf_;
    ComposeJobs jobs_;
    std::unique_ptr<TrainingRuns> trainings_;  // none: this studio does not train
    DiskQuota quota_;
    std::atomic<bool> stopped_{false};
    int port_ = 0;  // the port bound, which a request's Host must name
    int listening_socket_ = -1;  // httplib's, seen as it is made
    std::unique_ptr<httplib::Server> http_;  // after jobs_: its handlers use them, so it goes first
};

}  // namespace pianola::web
