// Training from the web studio, without a browser: uploads (several MIDI files, or a zip, read or
// skipped with the reason; zip slip, absolute paths, zips in zips, zip bombs, too many files and
// oversize each refused with nothing kept), the disk quota, the training runs' worker processes
// (here shell scripts standing in for `pianola train`: started, stopped, resumed, failed, listed
// as stopped after a restart), the training routes through cpp-httplib's client, and a bounded
// load test: many clients polling and composing at once, no error but the documented 503s, memory
// flat. tests/browser trains the tiny preset for real through the page.
#include <gtest/gtest.h>
#include <zip.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "TestFiles.h"
#include "io/AtomicFile.h"
#include "web/CorpusUpload.h"
#include "web/DiskQuota.h"
#include "web/RequestError.h"
#include "web/StudioServer.h"
#include "web/TrainingRuns.h"

using namespace pianola;
namespace fs = std::filesystem;

namespace {

std::string melody(const fixtures::TempDir& dir, std::vector<std::uint8_t> pitches) {
    fixtures::write_melody(dir / "melody.mid", pitches);
    const std::vector<std::uint8_t> bytes = read_file(dir / "melody.mid");
    return {bytes.begin(), bytes.end()};
}

// A MIDI file that reads but holds no note.
std::string silence(const fixtures::TempDir& dir) {
    fixtures::write_melody(dir / "silence.mid", {});
    const std::vector<std::uint8_t> bytes = read_file(dir / "silence.mid");
    return {bytes.begin(), bytes.end()};
}

// A zip made in memory with libzip, each entry deflated under the name given, whatever it is.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
    zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
    zip_source_keep(buffer);
    for (const auto& [name, bytes] : entries) {
        zip_source_t* entry = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        if (zip_file_add(archive, name.c_str(), entry, ZIP_FL_ENC_UTF_8) < 0) zip_source_free(entry);
    }
    zip_close(archive);
    zip_source_open(buffer);
    zip_source_seek(buffer, 0, SEEK_END);
    std::string out(static_cast<std::size_t>(zip_source_tell(buffer)), '\0');
    zip_source_seek(buffer, 0, SEEK_SET);
    zip_source_read(buffer, out.data(), out.size());
    zip_source_close(buffer);
    zip_source_free(buffer);
    zip_error_fini(&error);
    return out;
}

std::pair<int, std::string> refusal(const std::function<void()>& request) {
    try {
        request();
    } catch (const web::RequestError& e) {
        return {e.status(), e.what()};
    }
    return {0, "(accepted)"};
}

std::size_t files_in(const fs::path& folder) {
    return fs::is_directory(folder) ? static_cast<std::size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator())) : 0;
}

}  // namespace

TEST(CorpusUpload, KeepsTheFilesThatReadAndSaysWhyTheOthersAreSkipped) {
    const fixtures::TempDir dir;
    const std::string a = melody(dir, {60, 62, 64}), b = melody(dir, {67, 65, 64, 62}), quiet = silence(dir);
    const fs::path folder = dir / "upload";
    const web::CorpusReport report = web::receive_corpus(
        {{"song.mid", a}, {"song.mid", b}, {"notes.txt", "a text"}, {"broken.mid", "MThd but no more"}, {"quiet.mid", quiet}},
        folder, {}, music::default_tokenizer());
    ASSERT_EQ(report.pieces.size(), 5u);
    EXPECT_EQ(report.read, 2u);
    EXPECT_TRUE(report.pieces[0].read);
    EXPECT_EQ(report.pieces[0].note.rfind("3 notes, ", 0), 0u) << report.pieces[0].note;
    EXPECT_TRUE(report.pieces[1].read) << "the same name twice: both kept";
    EXPECT_EQ(report.pieces[1].note.rfind("4 notes, ", 0), 0u) << report.pieces[1].note;
    EXPECT_FALSE(report.pieces[2].read);
    EXPECT_EQ(report.pieces[2].note, "not a MIDI file (.mid, .midi, .kar, .smf, .rmi) or a .zip");
    EXPECT_FALSE(report.pieces[3].read);
    EXPECT_NE(report.pieces[3].note.find("broken.mid (byte "), std::string::npos) << "the reader's message: " << report.pieces[3].note;
    EXPECT_FALSE(report.pieces[4].read);
    EXPECT_EQ(report.pieces[4].note, "no notes") << "as `pianola tokens` says it";
    EXPECT_EQ(files_in(folder), 2u) << "only what trains is kept";
    EXPECT_TRUE(fs::exists(folder / "song.mid") && fs::exists(folder / "song-2.mid"));
    EXPECT_EQ(report.bytes, a.size() + b.size());
}

TEST(CorpusUpload, UnpacksAZipOfMidiFilesInItsFolders) {
    const fixtures::TempDir dir;
    const std::string zip = zip_of({{"tunes/", ""}, {"tunes/a.mid", melody(dir, {60, 64})}, {"tunes/deep/b.MID", melody(dir, {62})},
                                    {"README.txt", "about"}});
    const web::CorpusReport report = web::receive_corpus({{"tunes.zip", zip}}, dir / "upload", {}, music::default_tokenizer());
    ASSERT_EQ(report.pieces.size(), 3u) << "a folder entry is no file";
    EXPECT_EQ(report.pieces[0].name, "tunes.zip: tunes/a.mid");
    EXPECT_TRUE(report.pieces[0].read && report.pieces[1].read);
    EXPECT_EQ(report.pieces[2].name, "tunes.zip: README.txt");
    EXPECT_FALSE(report.pieces[2].read);
    EXPECT_EQ(report.read, 2u);
    EXPECT_EQ(files_in(dir / "upload"), 2u);

    const web::CorpusReport none = web::receive_corpus({{"x.txt", "no"}}, dir / "none", {}, music::default_tokenizer());
    EXPECT_EQ(none.read, 0u);
    EXPECT_FALSE(fs::exists(dir / "none")) << "nothing to train on: nothing kept";
}

TEST(CorpusUpload, RefusesWhatIsUnsafeOrTooLargeAndKeepsNothing) {
    const fixtures::TempDir dir;
    const std::string tune = melody(dir, {60, 62});
    std::string noise(4096, '\0');
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 13);
    web::UploadLimits small;
    small.files = 3;
    small.unpacked_bytes = 6000;
    small.depth = 2;
    web::UploadLimits lax;
    lax.ratio = 1e9;
    struct Case {
        std::vector<web::SentFile> files;
        web::UploadLimits limits;
        int status;
        std::string mention;
    };
    const std::string slip = zip_of({{"ok.mid", tune}, {"../evil.mid", tune}});
    const std::string inner_slip = zip_of({{"a/../../evil.mid", tune}});
    const std::string absolute = zip_of({{"/etc/evil.mid", tune}});
    const std::string nested = zip_of({{"inner.zip", zip_of({{"a.mid", tune}})}});
    const std::string bomb = zip_of({{"bomb.mid", std::string(3u << 20, '\0')}});
    const std::string huge = zip_of({{"huge.mid", std::string(17u << 20, '\0')}});
    const std::string many = zip_of({{"1.mid", tune}, {"2.mid", tune}, {"3.mid", tune}, {"4.mid", tune}});
    const std::string swollen = zip_of({{"1.mid", noise}, {"2.mid", noise}});
    const std::string deep = zip_of({{"a/b/c/d.mid", tune}});
    for (const Case& c : std::vector<Case>{
             {{{"slip.zip", slip}}, {}, 400, "slip.zip: the entry '../evil.mid' climbs out of its folder (..)"},
             {{{"slip.zip", inner_slip}}, {}, 400, "climbs out of its folder"},
             {{{"abs.zip", absolute}}, {}, 400, "the entry '/etc/evil.mid' is an absolute path"},
             {{{"nest.zip", nested}}, {}, 400, "'inner.zip' is a zip inside the zip"},
             {{{"bomb.zip", bomb}}, {}, 413, "bomb.zip: bomb.mid unpacks to more than 200 times its packed size (a zip bomb?)"},
             {{{"huge.zip", huge}}, lax, 413, "huge.mid unpacks to more than one MIDI file may be; at most 16 MiB"},
             {{{"many.zip", many}}, small, 413, "the upload holds more than 3 files"},
             {{{"a.mid", tune}, {"b.mid", tune}, {"c.mid", tune}, {"d.mid", tune}}, small, 413, "more than 3 files"},
             {{{"swollen.zip", swollen}}, small, 413, "swollen.zip unpacks to more than an upload may"},
             {{{"deep.zip", deep}}, small, 400, "lies more than 2 folders deep"},
             {{{"junk.zip", "PK but not a zip"}}, {}, 400, "junk.zip is not a zip file that opens"},
             {{}, {}, 400, "no file was sent"},
             {{{"big.mid", std::string(65u << 20, 'x')}}, {}, 413, "the upload is 65.0 MiB; at most 64 MiB is taken"},
         }) {
        const auto [status, message] = refusal([&] { web::receive_corpus(c.files, dir / "upload", c.limits, music::default_tokenizer()); });
        EXPECT_EQ(status, c.status) << c.mention << ": " << message;
        EXPECT_NE(message.find(c.mention), std::string::npos) << message;
        EXPECT_FALSE(fs::exists(dir / "upload")) << c.mention << ": a refused upload keeps nothing";
    }
}

TEST(DiskQuota, CountsEveryFileAndRefusesWhatWouldPassTheQuota) {
    const fixtures::TempDir dir;
    fs::create_directories(dir / "a" / "deep");
    write_file_atomically(dir / "a" / "model.pianola", std::string(3000, 'm'));
    write_file_atomically(dir / "a" / "deep" / "piece.wav", std::string(1000, 'w'));
    EXPECT_EQ(web::bytes_under(dir / "a"), 4000u);
    EXPECT_EQ(web::bytes_under(dir / "missing"), 0u);
    EXPECT_NO_THROW(web::DiskQuota({dir / "a", dir / "missing"}, 5000).check(1000));
    const web::DiskQuota quota({dir / "a"}, 5000);
    const auto [status, message] = refusal([&] { quota.check(1001); });
    EXPECT_EQ(status, 507);
    EXPECT_NE(message.find("the studio's disk quota of 0 MiB is full"), std::string::npos) << message;
    fs::remove(dir / "a" / "model.pianola");
    EXPECT_EQ(refusal([&] { quota.check(1001); }).first, 507) << "measured at most once a second";
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_NO_THROW(quota.check(1001)) << "then measured again";
}

namespace {

// Stand-ins for the worker's commands: a shell script run with the model's path as $1. Each
// records whether its plan resumed and the fill rate it asked for.
struct Worker {
    std::string script;
    std::atomic<int> launches{0};
    std::atomic<bool> resumed{false};
    std::atomic<double> fill_rate{-1};

    web::TrainingRuns::Launch launch() {
        return [this](const web::TrainingPlan& plan) {
            ++launches;
            resumed = plan.resume;
            fill_rate = plan.fill_rate;
            return std::vector<std::vector<std::string>>{{"/bin/sh", "-c", script, "sh", plan.model.string()}};
        };
    }
};

// Prints an epoch, then trains until SIGINT, when it writes its best model and checkpoint.
const std::string until_stopped =
    "trap 'printf best > \"$1\"; printf state > \"$1.checkpoint\"; exit 0' INT; "
    "echo '{\"epoch\":1,\"loss\":2.5}'; while :; do sleep 0.02; done";

// An upload as CorpusUpload leaves it: a folder of MIDI files.
std::string upload(web::TrainingRuns& runs) {
    const fs::path folder = runs.upload_folder();
    fs::create_directories(folder);
    fixtures::write_melody(folder / "a.mid", {60, 62});
    return folder.filename().string();
}

web::TrainingState state_of(const web::TrainingRuns& runs, const std::string& name) {
    return runs.status(name).value().state;
}

}  // namespace

TEST(TrainingRuns, RunsTheWorkerAndPublishesItsModel) {
    const fixtures::TempDir dir;
    fs::create_directories(dir / "models");
    Worker worker{"echo '{\"baseline\":\"kneser-ney\",\"bits_per_note\":9.5}'; echo 'not json'; "
                  "echo '{\"epoch\":1,\"loss\":2.0}'; echo 'prose' >&2; printf model > \"$1\""};
    web::TrainingRuns runs(dir / "state", dir / "models", worker.launch());
    runs.start({"mine", "tiny", 1.0}, upload(runs));
    ASSERT_TRUE(fixtures::eventually([&] { return state_of(runs, "mine") == web::TrainingState::done; }));
    const web::TrainingStatus status = *runs.status("mine");
    ASSERT_EQ(status.log.size(), 2u) << "the JSON lines only";
    EXPECT_EQ(status.log[0].at("bits_per_note"), 9.5);
    EXPECT_EQ(status.log[1].at("epoch"), 1);
    EXPECT_EQ(status.pieces, 1u);
    EXPECT_EQ(status.order.preset, "tiny");
    EXPECT_EQ(read_file(dir / "models" / "mine.pianola").size(), 5u) << "the model joins the models";
    EXPECT_FALSE(worker.resumed);
    ASSERT_EQ(runs.list().size(), 1u);
    EXPECT_TRUE(runs.list()[0].log.empty()) << "the list leaves the logs out";

    EXPECT_EQ(refusal([&] { runs.start({"mine", "tiny", 1.0}, upload(runs)); }).first, 409) << "a training's name";
    write_file_atomically(dir / "models" / "other.pianola", "a model trained elsewhere");
    const auto [taken, message] = refusal([&] { runs.start({"other", "tiny", 1.0}, upload(runs)); });
    EXPECT_EQ(taken, 409);
    EXPECT_EQ(message, "the name 'other' is taken: choose another, or delete that training");
}

TEST(TrainingRuns, StopsResumesRefusesASecondAndReportsAFailure) {
    const fixtures::TempDir dir;
    fs::create_directories(dir / "models");
    Worker worker{until_stopped};
    web::TrainingRuns runs(dir / "state", dir / "models", worker.launch());
    EXPECT_EQ(refusal([&] { runs.start({"bad name!", "tiny", 1.0}, upload(runs)); }).first, 400);
    EXPECT_EQ(refusal([&] { runs.start({"x", "tiny", 1.0}, "0123456789abcdef"); }).first, 404);
    runs.start({"long", "tiny", 1.0}, upload(runs));
    ASSERT_TRUE(fixtures::eventually([&] { return runs.status("long")->log.size() == 1; }));
    const auto [busy, busy_message] = refusal([&] { runs.start({"second", "tiny", 1.0}, upload(runs)); });
    EXPECT_EQ(busy, 409);
    EXPECT_EQ(busy_message, "'long' is training: one training at a time");
    EXPECT_EQ(refusal([&] { runs.resume("long"); }).first, 409) << "it is not stopped";
    EXPECT_EQ(refusal([&] { runs.remove("long"); }).first, 409) << "it runs";

    runs.stop("long");
    ASSERT_TRUE(fixtures::eventually([&] { return state_of(runs, "long") == web::TrainingState::stopped; }));
    EXPECT_EQ(read_file(dir / "models" / "long.pianola").size(), 4u) << "the best model is kept";
    EXPECT_EQ(refusal([&] { runs.stop("long"); }).first, 409);

    runs.resume("long");
    EXPECT_TRUE(fixtures::eventually([&] { return worker.launches == 2; }));
    EXPECT_TRUE(worker.resumed) << "its checkpoint is there: the worker goes on from it";
    ASSERT_TRUE(fixtures::eventually([&] { return runs.status("long")->log.size() == 2; })) << "the log goes on";
    runs.stop("long");
    ASSERT_TRUE(fixtures::eventually([&] { return state_of(runs, "long") == web::TrainingState::stopped; }));

    worker.script = "echo 'it broke at byte 12' >&2; exit 3";
    runs.resume("long");
    ASSERT_TRUE(fixtures::eventually([&] { return state_of(runs, "long") == web::TrainingState::failed; }));
    EXPECT_EQ(runs.status("long")->error, "it broke at byte 12");
    runs.remove("long");
    EXPECT_FALSE(runs.status("long"));
    EXPECT_TRUE(fs::exists(dir / "models" / "long.pianola")) << "its model stays";
    EXPECT_EQ(refusal([&] { runs.remove("long"); }).first, 404);
}

TEST(TrainingRuns, ATrainingOutlivesTheServer) {
    const fixtures::TempDir dir;
    fs::create_directories(dir / "models");
    Worker worker{until_stopped};
    {
        web::TrainingRuns runs(dir / "state", dir / "models", worker.launch());
        runs.start({"kept", "default", 2.0, 0.5}, upload(runs));
        ASSERT_TRUE(fixtures::eventually([&] { return runs.status("kept")->log.size() == 1; }));
    }  // the server stops: its worker is stopped cleanly
    EXPECT_TRUE(fs::exists(dir / "models" / "kept.pianola"));
    // A server that died while a training ran left it marked running.
    nlohmann::json saved = nlohmann::json::parse(std::ifstream(dir / "state" / "trainings" / "kept" / "training.json"));
    EXPECT_EQ(saved.at("state"), "stopped");
    saved["state"] = "running";
    saved["pid"] = 0;
    write_file_atomically(dir / "state" / "trainings" / "kept" / "training.json", saved.dump());

    web::TrainingRuns restarted(dir / "state", dir / "models", worker.launch());
    const web::TrainingStatus status = *restarted.status("kept");
    EXPECT_EQ(status.state, web::TrainingState::stopped) << "listed as stopped, resume offered";
    EXPECT_EQ(status.error, "the studio stopped while it trained");
    EXPECT_EQ(status.order.minutes, 2.0);
    EXPECT_EQ(status.order.fill_rate, 0.5);
    restarted.resume("kept");
    EXPECT_TRUE(fixtures::eventually([&] { return worker.launches == 2 && worker.resumed; }));
    EXPECT_EQ(worker.fill_rate, 0.5) << "a resumed training fills as it did";
    restarted.stop("kept");
}

namespace {

// A studio whose compositions are instant stand-ins and whose trainings run `script`.
class TrainingStudio {
public:
    TrainingStudio(std::string script, std::uintmax_t quota = std::uintmax_t{1} << 30) {
        worker.script = std::move(script);
        write_file_atomically(dir / "a.pianola", "not read");
        web::StudioConfig config;
        config.port = 0;
        config.models = dir.path();
        config.training.presets = {"default", "tiny"};
        config.quota_bytes = quota;
        config.page = {{"/index.html", "text/html", "<p>page</p>"}};
        server_ = std::make_unique<web::StudioServer>(
            std::move(config),
            [](const web::ComposeOrder&, const web::JobFiles& files, const web::ComposeJobs::Report&) {
                fixtures::write_melody(files.midi, {60});
                write_file_atomically(files.wav, "wav");
                write_file_atomically(files.png, "png");
                return nlohmann::json::object();
            },
            worker.launch());
        port_ = server_->bind();
        thread_ = std::thread([this] { server_->serve(); });
    }
    ~TrainingStudio() {
        server_->stop();
        thread_.join();
    }
    httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }
    int port() const { return port_; }

    fixtures::TempDir dir;
    Worker worker;

private:
    std::unique_ptr<web::StudioServer> server_;
    int port_ = 0;
    std::thread thread_;
};

nlohmann::json body_of(const httplib::Result& result) {
    return result ? nlohmann::json::parse(result->body, nullptr, false) : nlohmann::json();
}

}  // namespace

TEST(StudioTraining, UploadsTrainsAndListsThroughTheRoutes) {
    TrainingStudio studio("echo '{\"epoch\":1,\"loss\":1.5}'; printf m > \"$1\"");
    httplib::Client http = studio.client();
    const nlohmann::json studio_json = body_of(http.Get("/api/studio"));
    EXPECT_EQ(studio_json.at("training").at("presets"), (nlohmann::json{"default", "tiny"}));
    EXPECT_EQ(studio_json.at("training").at("minutes").at("initial"), 10.0);
    EXPECT_EQ(studio_json.at("training").at("fill_rate").at("initial"), 0.0);

    const std::string tune = melody(studio.dir, {60, 64, 67});
    const httplib::Result sent = http.Post("/api/uploads", httplib::MultipartFormDataItems{
        {"files", tune, "one.mid", "audio/midi"}, {"files", "hello", "two.txt", "text/plain"}});
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 201) << sent->body;
    const nlohmann::json report = body_of(sent);
    EXPECT_EQ(report.at("read"), 1);
    EXPECT_EQ(report.at("skipped"), 1);
    EXPECT_EQ(report.at("pieces")[1].at("note"), "not a MIDI file (.mid, .midi, .kar, .smf, .rmi) or a .zip");

    const httplib::Result nothing = http.Post("/api/uploads", httplib::MultipartFormDataItems{{"files", "hello", "x.txt", "text/plain"}});
    ASSERT_TRUE(nothing);
    EXPECT_EQ(nothing->status, 400);
    EXPECT_EQ(body_of(nothing).at("error"), "none of the 1 files sent can be trained on");
    EXPECT_EQ(body_of(nothing).at("pieces").size(), 1u) << "with each file's reason";

    const std::string id = report.at("id");
    const auto train = [&](httplib::Params fields) { return http.Post("/api/trainings", fields); };
    EXPECT_EQ(body_of(train({{"upload", id}, {"name", "mine"}, {"preset", "huge"}})).at("error"),
              "preset must be one of default, tiny, not 'huge'");
    EXPECT_EQ(body_of(train({{"upload", id}, {"name", "mine"}, {"minutes", "0.1"}})).at("error"),
              "minutes must be a number from 0.5 to 600, not '0.1'");
    EXPECT_EQ(body_of(train({{"upload", id}, {"name", "mine"}, {"fill_rate", "2"}})).at("error"),
              "fill_rate must be a number from 0 to 1, not '2'");
    const httplib::Result started =
        train({{"upload", id}, {"name", "mine"}, {"preset", "tiny"}, {"minutes", "1"}, {"fill_rate", "0.5"}});
    ASSERT_TRUE(started);
    EXPECT_EQ(started->status, 202) << started->body;
    ASSERT_TRUE(fixtures::eventually([&] { return body_of(http.Get("/api/trainings/mine")).value("state", "") == "done"; }));
    EXPECT_EQ(studio.worker.fill_rate, 0.5) << "the worker is asked to fill as the form said";
    const nlohmann::json done = body_of(http.Get("/api/trainings/mine"));
    EXPECT_EQ(done.at("fill_rate"), 0.5);
    EXPECT_EQ(done.at("log")[0].at("loss"), 1.5);
    EXPECT_EQ(done.at("pieces"), 1);
    EXPECT_EQ(body_of(http.Get("/api/trainings")).at("trainings").size(), 1u);
    EXPECT_EQ(body_of(http.Get("/api/studio")).at("models"), (nlohmann::json{"a.pianola", "mine.pianola"}));
    EXPECT_EQ(http.Get("/api/trainings/nope")->status, 404);
    EXPECT_EQ(http.Post("/api/trainings/mine/stop", "", "text/plain")->status, 409);
    EXPECT_EQ(http.Delete("/api/trainings/mine")->status, 200);
}

TEST(StudioTraining, RefusesForeignRequestsAndAFullQuota) {
    TrainingStudio studio("true", 4096);
    httplib::Client http = studio.client();
    const std::string tune = melody(studio.dir, {60, 64});
    const httplib::MultipartFormDataItems files{{"files", tune, "one.mid", "audio/midi"}};
    const std::string port = std::to_string(studio.port());
    EXPECT_EQ(http.Post("/api/uploads", {{"Host", "evil.example:" + port}}, files)->status, 403) << "DNS rebinding";
    EXPECT_EQ(http.Post("/api/uploads", {{"Origin", "https://evil.example"}}, files)->status, 403) << "another site's form";
    EXPECT_EQ(http.Post("/api/trainings", {{"Sec-Fetch-Site", "cross-site"}}, httplib::Params{{"name", "x"}})->status, 403);
    const httplib::Result full =
        http.Post("/api/uploads", httplib::MultipartFormDataItems{{"files", std::string(5000, 'x'), "big.mid", "audio/midi"}});
    ASSERT_TRUE(full);
    EXPECT_EQ(full->status, 507);
    EXPECT_NE(body_of(full).at("error").get<std::string>().find("the studio's disk quota of 0 MiB is full"), std::string::npos);
}

namespace {

std::size_t resident_bytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
    return 0;
}

}  // namespace

// 50 clients for 10 s (PIANOLA_LOAD_SECONDS: longer) against one studio that is training: the page,
// the studio's state, compositions and their polls, half the clients keeping their connections
// alive. Every answer is a success or the documented 503 of a full queue; every composition accepted
// finishes; the server's memory does not grow with the requests.
TEST(StudioLoad, ManyClientsGetAnswersAndMemoryStaysFlat) {
    TrainingStudio studio(until_stopped);
    {
        httplib::Client http = studio.client();
        const httplib::Result sent = http.Post("/api/uploads", httplib::MultipartFormDataItems{
            {"files", melody(studio.dir, {60, 62}), "a.mid", "audio/midi"}});
        ASSERT_TRUE(sent && sent->status == 201);
        const httplib::Result started =
            http.Post("/api/trainings", httplib::Params{{"upload", body_of(sent).at("id")}, {"name", "busy"}});
        ASSERT_TRUE(started && started->status == 202) << "the load runs while a training does";
    }
    constexpr int clients = 50;
    const char* asked = std::getenv("PIANOLA_LOAD_SECONDS");
    const auto length = std::chrono::seconds(asked ? std::atoi(asked) : 10);
    std::atomic<long> answered{0}, busy{0}, unexpected{0}, composed{0};
    std::mutex mutex;
    std::vector<std::string> oddities;  // what the first few unexpected answers were
    const auto said = [](const httplib::Result& result) {
        return result ? std::to_string(result->status) + " " + result->body : httplib::to_string(result.error());
    };
    const auto odd = [&](const std::string& what) {
        ++unexpected;
        const std::lock_guard lock(mutex);
        if (oddities.size() < 5) oddities.push_back(what);
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    std::size_t rss_early = 0;
    std::thread meter([&] {
        std::this_thread::sleep_for(length / 3);
        rss_early = resident_bytes();
    });
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            httplib::Client http = studio.client();
            http.set_keep_alive(c % 2 == 0);
            while (std::chrono::steady_clock::now() - start < length) {
                const httplib::Result page = http.Get(c % 3 ? "/api/studio" : "/");
                if (page && page->status == 200)
                    ++answered;
                else
                    odd("page: " + said(page));
                const httplib::Result posted =
                    http.Post("/api/compose", httplib::MultipartFormDataItems{{"model", "a.pianola", "", ""}, {"notes", "8", "", ""}});
                if (posted && posted->status == 503) {
                    ++busy;
                    continue;
                }
                if (!posted || posted->status != 202) {
                    odd("compose: " + said(posted));
                    continue;
                }
                const std::string status = body_of(posted).at("status");
                std::string polled;
                const bool finished = fixtures::eventually([&] {
                    const httplib::Result answer = http.Get(status);
                    polled = said(answer);
                    return body_of(answer).value("stage", "") == "done";
                });
                if (finished)
                    ++composed;
                else
                    odd("poll: " + polled);
            }
        });
    for (std::thread& t : threads) t.join();
    meter.join();
    EXPECT_EQ(body_of(studio.client().Get("/api/trainings/busy")).value("state", ""), "running");
    const std::size_t rss_late = resident_bytes();
    std::printf("%d clients, %lld s: %ld pages and states answered, %ld compositions done, %ld refused as busy (503), "
                "%ld other; resident memory %.1f MB at a third, %.1f MB at the end\n",
                clients, static_cast<long long>(length.count()), answered.load(), composed.load(), busy.load(),
                unexpected.load(), rss_early / 1e6, rss_late / 1e6);
    for (const std::string& what : oddities) ADD_FAILURE() << what;
    EXPECT_EQ(unexpected, 0) << answered << " answered, " << busy << " busy, " << composed << " composed";
    EXPECT_GT(answered, 1000);
    EXPECT_GT(composed, 50);
    EXPECT_LT(static_cast<double>(rss_late), static_cast<double>(rss_early) + 64e6)
        << "resident memory from a third of the run to its end: " << rss_early << " -> " << rss_late;
}
