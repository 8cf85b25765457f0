#include "web/StudioServer.h"

#include <sys/socket.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include <fmt/core.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "music/GeneralMidi.h"
#include "music/Tokenizer.h"
#include "web/RequestError.h"
#include "web/RequestOrigin.h"

namespace pianola::web {

namespace {

constexpr const char* json_type = "application/json";
constexpr std::size_t studio_threads = 64;  // connections served at once
constexpr int listen_backlog = 256;         // connections waiting to be accepted

// A refusal quotes what the client sent, and a model's name is a file name: either may be bytes
// that are not UTF-8, which JSON cannot hold; they are replaced rather than fail the answer.
void send_json(httplib::Response& res, const nlohmann::json& json) {
    res.set_content(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), json_type);
}

void send_error(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    send_json(res, {{"error", message}});
}

// Refusals httplib makes itself (an unknown path, a body over the payload limit) come without a body.
std::string message_for(int status, std::size_t max_bytes) {
    switch (status) {
    case 404: return "no such page or file";
    case 413:
        return fmt::format("the request is too large: at most {:.0f} MiB is taken at once",
                           static_cast<double>(max_bytes) / (1024.0 * 1024.0));
    default: return fmt::format("refused (HTTP {})", status);
    }
}

// null: the model's own.
template <typename T>
nlohmann::json optional_json(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json limits_json(const ComposeLimits& limits) {
    const auto bounded = [](const auto& range) {
        return nlohmann::json{{"min", range.min}, {"max", range.max}, {"initial", optional_json(range.initial)}};
    };
    return {{"notes", bounded(limits.notes)},
            {"bars", bounded(limits.bars)},
            {"seconds", bounded(limits.seconds)},
            {"temperature", bounded(limits.temperature)},
            {"top_p", bounded(limits.top_p)},
            {"time_temperature", bounded(limits.time_temperature)},
            {"time_top_p", bounded(limits.time_top_p)},
            {"duration_temperature", bounded(limits.duration_temperature)},
            {"duration_top_p", bounded(limits.duration_top_p)},
            {"memory", bounded(limits.memory)},
            {"key_pull", bounded(limits.key_pull)},
            {"tempo", bounded(limits.tempo)},
            {"program", bounded(limits.program)},
            {"top_k", bounded(limits.top_k)},
            {"max_copy", bounded(limits.max_copy)},
            {"redraw", bounded(limits.redraw)},
            {"primer_bytes", limits.primer_bytes}};
}

nlohmann::json training_json(const TrainingLimits& training, const UploadLimits& uploads) {
    return {{"presets", training.presets},
            {"minutes", {{"min", training.minutes.min}, {"max", training.minutes.max}, {"initial", optional_json(training.minutes.initial)}}},
            {"fill_rate", {{"min", training.fill_rate.min}, {"max", training.fill_rate.max}, {"initial", optional_json(training.fill_rate.initial)}}},
            {"upload_bytes", uploads.request_bytes},
            {"upload_files", uploads.files}};
}

nlohmann::json training_status_json(const TrainingStatus& status) {
    nlohmann::json json = {{"name", status.order.name},   {"preset", status.order.preset},
                           {"minutes", status.order.minutes}, {"fill_rate", status.order.fill_rate},
                           {"state", state_name(status.state)},
                           {"error", status.error},        {"started", status.started},
                           {"pieces", status.pieces}};
    if (!status.log.empty()) json["log"] = status.log;
    return json;
}

nlohmann::json status_json(const std::string& id, const JobStatus& status) {
    nlohmann::json json = {{"id", id},
                           {"stage", stage_name(status.stage)},
                           {"ahead", status.ahead},
                           {"seconds", status.seconds},
                           {"model", status.order.model},
                           {"notes", optional_json(status.order.notes)},
                           {"bars", optional_json(status.order.bars)},
                           {"seconds", optional_json(status.order.seconds)},
                           {"temperature", optional_json(status.order.temperature)},
                           {"top_p", optional_json(status.order.top_p)},
                           {"time_temperature", optional_json(status.order.time_temperature)},
                           {"time_top_p", optional_json(status.order.time_top_p)},
                           {"duration_temperature", optional_json(status.order.duration_temperature)},
                           {"duration_top_p", optional_json(status.order.duration_top_p)},
                           {"memory", optional_json(status.order.memory)},
                           {"key_pull", optional_json(status.order.key_pull)},
                           {"tempo", optional_json(status.order.tempo)},
                           {"program", optional_json(status.order.program)},
                           {"top_k", status.order.top_k},
                           {"max_copy", optional_json(status.order.max_copy)},
                           {"redraw", status.order.redraw},
                           {"infill", status.order.infill ? nlohmann::json(fmt::format("{}-{}", status.order.infill->first,
                                                                                      status.order.infill->second))
                                                          : nlohmann::json(nullptr)},
                           {"keep", status.order.keep},
                           {"accompany", status.order.accompany},
                           {"chord", status.order.chord},
                           {"ending", status.order.cadence ? "cadence" : "open"},
                           {"pedal", !status.order.bass_pedal ? "" : *status.order.bass_pedal ? "bass" : "none"},
                           {"seed", std::to_string(status.order.seed)}};  // 64 bits: more than a JS number holds
    if (status.stage == JobStage::failed) json["error"] = status.error;
    if (status.stage == JobStage::done) {
        json["files"] = {{"midi", "/files/" + id + "/piece.mid"},
                         {"wav", "/files/" + id + "/piece.wav"},
                         {"png", "/files/" + id + "/piece.png"}};
        json["piece"] = status.piece;
    }
    return json;
}

const char* content_type_of(const std::filesystem::path& path) {
    if (path.extension() == ".wav") return "audio/wav";
    if (path.extension() == ".png") return "image/png";
    return "audio/midi";
}

// A field given twice is refused rather than one of its values picked.
FormFields form_fields(const httplib::Request& req) {
    FormFields fields;
    const auto add = [&fields](const std::string& name, const std::string& value) {
        if (!fields.emplace(name, value).second) throw RequestError(400, "field '" + name + "' is given twice");
    };
    for (const auto& [name, value] : req.params) add(name, value);
    for (const auto& [name, part] : req.files) add(name, part.content);
    return fields;
}

// httplib's routes are regular expressions; a file's path is matched as it is.
std::string literal_pattern(const std::string& path) {
    std::string pattern;
    for (const char c : path) {
        if (c == '.') pattern += '\\';
        pattern += c;
    }
    return pattern;
}

std::uint64_t fresh_seed() {
    thread_local std::random_device entropy;
    return entropy();  // 32 bits, as `pianola generate` draws: short enough to type back
}

}  // namespace

StudioServer::StudioServer(StudioConfig config, ComposeJobs::Work work, TrainingRuns::Launch launch)
    : config_(std::move(config)),
      shelf_(config_.models),
      jobs_(std::move(work), config_.queue),
      quota_({shelf_.folder(), jobs_.folder()}, config_.quota_bytes),
      http_(std::make_unique<httplib::Server>()) {
    if (config_.state.empty()) config_.state = shelf_.folder() / ".pianola-studio";
    if (launch) trainings_ = std::make_unique<TrainingRuns>(config_.state, shelf_.folder(), std::move(launch));
    add_routes();
    add_training_routes();
}

TrainingRuns& StudioServer::trainings() {
    if (!trainings_) throw RequestError(404, "this studio composes only: it was started without training");
    return *trainings_;
}

StudioServer::~StudioServer() = default;

void StudioServer::add_routes() {
    httplib::Server& http = *http_;
    // The page's files and the results are all the server's own: no other origin is needed.
    http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cache-Control", "no-store"},
                              {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"}});
    // The body is read whole before the handler sees it: a primer or an upload somewhat over its
    // limit still reaches its check and gets its message; a body far over both is cut off by httplib.
    // httplib's default also sets SO_REUSEPORT, which would let a second studio bind the same port
    // and answer half of the requests, job ids it never issued among them.
    http.set_socket_options([this](int socket) {
        const int yes = 1;
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
        listening_socket_ = socket;
    });
    // httplib's default pool is 8 threads, and a browser's keep-alive connection holds one for as
    // long as it idles: a few dozen pages open at once left requests waiting for seconds.
    http.new_task_queue = [] { return new httplib::ThreadPool(studio_threads); };
    const std::size_t max_bytes = std::max(2 * config_.limits.primer_bytes, config_.uploads.request_bytes) + 65536;
    http.set_payload_max_length(max_bytes);
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const RequestError& e) {
            send_error(res, e.status(), e.what());
        } catch (const std::exception& e) {
            const std::string message = e.what();
            send_error(res, 500, message.substr(0, message.find('\n')));
        }
    });
    // Before any route: a Host that is not this server's (DNS rebinding), or a change asked from
    // another site's page, is refused whatever it asks.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        const std::string host = req.get_header_value("Host");
        if (!host_is_ours(host, config_.host, port_)) {
            send_error(res, 403,
                       fmt::format("this studio answers as http://{}:{}/ only, not as {}", config_.host, port_,
                                   host.empty() ? "a request without a Host" : host));
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.method != "GET" && req.method != "HEAD") {
            const std::string foreign =
                foreign_origin(req.get_header_value("Origin"), req.get_header_value("Sec-Fetch-Site"), host);
            if (!foreign.empty()) {
                send_error(res, 403, foreign);
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_error_handler([max_bytes](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) send_error(res, res.status, message_for(res.status, max_bytes));
    });

    for (const StaticFile& file : config_.page) {
        const auto serve_file = [&file](const httplib::Request&, httplib::Response& res) {
            res.set_content(file.body.data(), file.body.size(), file.content_type.c_str());
        };
        http.Get(literal_pattern(file.path), serve_file);
        if (&file == &config_.page.front()) http.Get("/", serve_file);
    }

    http.Get("/api/studio", [this](const httplib::Request&, httplib::Response& res) {
        std::vector<std::string_view> instruments;
        for (int program = 0; program < music::program_count; ++program) instruments.push_back(music::program_name(program));
        send_json(res, {{"models", shelf_.names()},
                        {"instruments", instruments},
                        {"folder", shelf_.folder().string()},
                        {"limits", limits_json(config_.limits)},
                        {"training", trainings_ ? training_json(config_.training, config_.uploads) : nlohmann::json(nullptr)},
                        // The most pieces the page asks for at once: the queue's room.
                        {"pieces", config_.queue.waiting}});
    });

    http.Post("/api/compose", [this](const httplib::Request& req, httplib::Response& res) {
        quota_.check(0);
        const std::string id =
            jobs_.submit(parse_compose_order(form_fields(req), shelf_, config_.limits, fresh_seed()));
        res.status = 202;
        send_json(res, {{"id", id}, {"status", "/api/jobs/" + id}});
    });

    http.Get(R"(/api/jobs/([0-9a-f]{16}))", [this](const httplib::Request& req, httplib::Response& res) {
        const std::string id = req.matches[1];
        const std::optional<JobStatus> status = jobs_.status(id);
        if (!status) throw RequestError(404, "no such job: finished jobs are kept for a while only");
        send_json(res, status_json(id, *status));
    });

    http.Delete(R"(/api/jobs/([0-9a-f]{16}))", [this](const httplib::Request& req, httplib::Response& res) {
        jobs_.remove(req.matches[1]);
        send_json(res, {{"deleted", req.matches[1].str()}});
    });

    http.Get(R"(/files/([0-9a-f]{16})/([a-z]+\.[a-z]+))", [this](const httplib::Request& req, httplib::Response& res) {
        const std::optional<std::filesystem::path> path = jobs_.result(req.matches[1], req.matches[2].str());
        if (!path) throw RequestError(404, "no such file");
        std::vector<std::uint8_t> bytes;
        try {
            bytes = read_file(*path);
        } catch (const FileError&) {
            throw RequestError(404, "that piece is gone: finished jobs are kept for a while only");
        }
        // Whole in memory, so httplib answers the Range requests an <audio> element makes.
        res.set_content(reinterpret_cast<const char*>(bytes.data()), bytes.size(), content_type_of(*path));
    });
}

void StudioServer::add_training_routes() {
    httplib::Server& http = *http_;
    // Several files under one field (or one .zip); the report says what each became.
    http.Post("/api/uploads", [this](const httplib::Request& req, httplib::Response& res) {
        std::vector<SentFile> files;
        std::uintmax_t bytes = 0;
        for (const auto& [field, part] : req.files) {
            if (field != "files") throw RequestError(400, "unknown field " + quote_sent(field) + ": the files go in 'files'");
            files.push_back({part.filename, part.content});
            bytes += part.content.size();
        }
        if (!req.params.empty()) throw RequestError(400, "unknown field " + quote_sent(req.params.begin()->first));
        quota_.check(bytes);
        const std::filesystem::path folder = trainings().upload_folder();
        const CorpusReport report = receive_corpus(files, folder, config_.uploads, music::default_tokenizer());
        nlohmann::json pieces = nlohmann::json::array();
        for (const UploadedPiece& p : report.pieces) pieces.push_back({{"name", p.name}, {"read", p.read}, {"note", p.note}});
        nlohmann::json json = {{"read", report.read}, {"skipped", report.pieces.size() - report.read}, {"pieces", pieces}};
        if (report.read == 0) {
            res.status = 400;
            json["error"] = fmt::format("none of the {} files sent can be trained on", report.pieces.size());
        } else {
            res.status = 201;
            json["id"] = folder.filename().string();
        }
        send_json(res, json);
    });

    http.Post("/api/trainings", [this](const httplib::Request& req, httplib::Response& res) {
        const TrainingForm form = parse_training_form(form_fields(req), config_.training);
        quota_.check(0);
        trainings().start(form.order, form.upload);
        res.status = 202;
        send_json(res, {{"name", form.order.name}, {"status", "/api/trainings/" + form.order.name}});
    });

    http.Get("/api/trainings", [this](const httplib::Request&, httplib::Response& res) {
        nlohmann::json list = nlohmann::json::array();
        for (const TrainingStatus& s : trainings().list()) list.push_back(training_status_json(s));
        send_json(res, {{"trainings", list}});
    });

    const std::string name = "/api/trainings/([A-Za-z0-9_-]{1,64})";
    http.Get(name, [this](const httplib::Request& req, httplib::Response& res) {
        const std::optional<TrainingStatus> status = trainings().status(req.matches[1]);
        if (!status) throw RequestError(404, "no such training");
        send_json(res, training_status_json(*status));
    });
    http.Post(name + "/stop", [this](const httplib::Request& req, httplib::Response& res) {
        trainings().stop(req.matches[1]);
        send_json(res, {{"stopping", req.matches[1].str()}});
    });
    http.Post(name + "/resume", [this](const httplib::Request& req, httplib::Response& res) {
        quota_.check(0);
        trainings().resume(req.matches[1]);
        send_json(res, {{"resumed", req.matches[1].str()}});
    });
    http.Delete(name, [this](const httplib::Request& req, httplib::Response& res) {
        trainings().remove(req.matches[1]);
        send_json(res, {{"deleted", req.matches[1].str()}});
    });
}

int StudioServer::bind() {
    const int port = config_.port == 0 ? http_->bind_to_any_port(config_.host)
                                       : (http_->bind_to_port(config_.host, config_.port) ? config_.port : -1);
    if (port < 0)
        throw std::runtime_error(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)",
                                             config_.host, config_.port));
    // httplib listens with a backlog of 5: a burst of new connections overflowed it, and a client
    // whose connection the kernel then dropped waited a second for a reset. listen() again widens it.
    if (listening_socket_ >= 0) ::listen(listening_socket_, listen_backlog);
    port_ = port;
    return port;
}

void StudioServer::serve() {
    if (!stopped_) http_->listen_after_bind();
}

void StudioServer::stop() {
    stopped_ = true;
    http_->stop();
}

}  // namespace pianola::web
