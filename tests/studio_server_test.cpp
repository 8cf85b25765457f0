// The web studio without a browser: the checks on what a request asks (fields, model names,
// primer uploads), the job queue's stages, and the server itself on an ephemeral port through
// cpp-httplib's client: traversal, oversized and non-MIDI uploads and bad fields each refused with
// a 4xx and a JSON message, jobs at the same time each with their own files, and requests naming
// another host (DNS rebinding) or posted from another site's page refused before any route. Composing is a
// stand-in here that writes files naming the job's seed; tests/browser runs the real thing.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "TestFiles.h"
#include "io/AtomicFile.h"
#include "midi/MidiReader.h"
#include "music/Score.h"
#include "web/ComposeJobs.h"
#include "web/ComposeOrder.h"
#include "web/ModelShelf.h"
#include "web/PrimerUpload.h"
#include "web/RequestError.h"
#include "web/RequestOrigin.h"
#include "web/StudioServer.h"

using namespace pianola;

namespace {

// The first pitch a stand-in job writes: the seed says which job a file came from.
std::uint8_t pitch_of(std::uint64_t seed) { return static_cast<std::uint8_t>(40 + seed % 40); }

void write_results(const web::ComposeOrder& order, const web::JobFiles& files) {
    fixtures::write_melody(files.midi, {pitch_of(order.seed), 60});
    write_file_atomically(files.wav, "wav of seed " + std::to_string(order.seed));
    write_file_atomically(files.png, "png of seed " + std::to_string(order.seed));
}

// What a job says of its piece: here, its seed.
nlohmann::json stand_in(const web::ComposeOrder& order, const web::JobFiles& files,
                        const web::ComposeJobs::Report& report) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    report(web::JobStage::rendering);
    report(web::JobStage::drawing);
    write_results(order, files);
    return {{"composed_with_seed", order.seed}};
}

void write_models(const std::filesystem::path& dir) {
    write_file_atomically(dir / "b.pianola", "not read by the server");
    write_file_atomically(dir / "a.pianola", "not read by the server");
    write_file_atomically(dir / "notes.txt", "not a model");
    std::filesystem::create_directory(dir / "folder.pianola");
}

std::string melody_bytes(const fixtures::TempDir& dir) {
    fixtures::write_melody(dir / "primer.mid", {60, 64, 67});
    const std::vector<std::uint8_t> bytes = read_file(dir / "primer.mid");
    return {bytes.begin(), bytes.end()};
}

int refusal_status(const std::function<void()>& request) {
    try {
        request();
    } catch (const web::RequestError& e) {
        return e.status();
    }
    return 0;
}

std::string refusal_message(const std::function<void()>& request) {
    try {
        request();
    } catch (const web::RequestError& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST(StudioModels, ListsOnlyModelFilesAndRefusesEveryOtherName) {
    fixtures::TempDir dir;
    write_models(dir.path());
    const web::ModelShelf shelf(dir.path());
    EXPECT_EQ(shelf.names(), (std::vector<std::string>{"a.pianola", "b.pianola"}));
    EXPECT_EQ(shelf.path_of("a.pianola"), dir / "a.pianola");
    for (const std::string name : {"notes.txt", "folder.pianola", "../a.pianola", "./a.pianola", "/etc/passwd", ""})
        EXPECT_EQ(refusal_status([&] { shelf.path_of(name); }), 400) << name;
    write_file_atomically(dir / "c.pianola", "trained while the server runs");
    EXPECT_EQ(shelf.names().size(), 3u);
}

TEST(StudioOrder, ReadsFieldsAndFillsWhatIsAbsent) {
    fixtures::TempDir dir;
    write_models(dir.path());
    const web::ModelShelf shelf(dir.path());
    const web::ComposeLimits limits;
    const web::ComposeOrder order = web::parse_compose_order(
        {{"model", "b.pianola"}, {"notes", "300"}, {"temperature", "0.5"}, {"top_p", "0.9"}, {"seed", "18446744073709551615"},
         {"time_temperature", "0.85"}, {"time_top_p", "0.95"}, {"duration_temperature", "1.1"}, {"duration_top_p", "0.9"},
         {"memory", "0.6"}, {"key_pull", "0.25"}, {"tempo", "96"},
         {"program", "40"}, {"chord", "D minor"}, {"ending", "open"}, {"top_k", "50"}, {"max_copy", "0"}, {"redraw", "2"},
         {"pedal", "none"}},
        shelf, limits, 7);
    EXPECT_EQ(order.model_path, dir / "b.pianola");
    EXPECT_EQ(order.notes, 300);
    EXPECT_FALSE(order.bars);
    EXPECT_FALSE(order.seconds);
    EXPECT_EQ(order.temperature, 0.5);
    EXPECT_EQ(order.top_p, 0.9);
    EXPECT_EQ(order.time_temperature, 0.85);
    EXPECT_EQ(order.time_top_p, 0.95);
    EXPECT_EQ(order.duration_temperature, 1.1);
    EXPECT_EQ(order.duration_top_p, 0.9);
    EXPECT_EQ(order.memory, 0.6);
    EXPECT_EQ(order.key_pull, 0.25);
    EXPECT_EQ(order.tempo, 96);
    EXPECT_FALSE(order.cadence);
    EXPECT_EQ(order.bass_pedal, false);
    EXPECT_EQ(order.program, 40);
    EXPECT_EQ(order.top_k, 50);
    EXPECT_EQ(order.max_copy, 0) << "no copy limit, asked";
    EXPECT_EQ(order.redraw, 2);
    EXPECT_EQ(order.chord, "D minor");
    EXPECT_EQ(order.seed, 18446744073709551615ull);
    EXPECT_TRUE(order.primer.empty());
    EXPECT_EQ(web::parse_compose_order({{"model", "a.pianola"}, {"bars", "16"}}, shelf, limits, 7).bars, 16);
    EXPECT_EQ(web::parse_compose_order({{"model", "a.pianola"}, {"seconds", "30.5"}}, shelf, limits, 7).seconds, 30.5);

    const web::ComposeOrder defaults = web::parse_compose_order(
        {{"model", "a.pianola"}, {"notes", ""}, {"temperature", ""}, {"seed", ""}, {"primer", ""}, {"chord", ""}, {"pedal", ""}}, shelf,
        limits, 7);
    EXPECT_FALSE(defaults.notes || defaults.bars || defaults.seconds) << "the model's own length";
    EXPECT_FALSE(defaults.temperature) << "the default for the model's kind";
    EXPECT_FALSE(defaults.top_p) << "the model's calibrated top-p";
    EXPECT_FALSE(defaults.time_temperature || defaults.time_top_p || defaults.duration_temperature ||
                 defaults.duration_top_p || defaults.memory || defaults.key_pull)
        << "as calibrated";
    EXPECT_FALSE(defaults.tempo) << "the model's";
    EXPECT_FALSE(defaults.bass_pedal) << "as the model's corpus is";
    EXPECT_FALSE(defaults.program) << "the instruments the model composed";
    EXPECT_EQ(defaults.top_k, 0) << "every token";
    EXPECT_FALSE(defaults.max_copy) << "the model's measured limit";
    EXPECT_EQ(defaults.redraw, 0);
    EXPECT_TRUE(defaults.chord.empty());
    EXPECT_TRUE(defaults.cadence) << "a length in bars or seconds ends on the tonic chord";
    EXPECT_EQ(defaults.seed, 7u);
    const std::string primer = melody_bytes(dir);
    EXPECT_EQ(web::parse_compose_order({{"model", "a.pianola"}, {"primer", primer}}, shelf, limits, 7).primer, primer);
    EXPECT_FALSE(defaults.infill) << "compose, not rewrite";
    const web::ComposeOrder infill = web::parse_compose_order(
        {{"model", "a.pianola"}, {"primer", primer}, {"infill", "9-12"}, {"keep", "rhythm"}}, shelf, limits, 7);
    EXPECT_EQ(infill.infill, std::make_pair(9, 12));
    EXPECT_EQ(infill.keep, "rhythm");
    EXPECT_EQ(web::parse_compose_order({{"model", "a.pianola"}, {"primer", primer}, {"infill", "3"}}, shelf, limits, 7).infill,
              std::make_pair(3, 3));
    EXPECT_FALSE(defaults.accompany) << "compose, not accompany";
    EXPECT_TRUE(web::parse_compose_order({{"model", "a.pianola"}, {"primer", primer}, {"accompany", "melody"}}, shelf, limits, 7)
                    .accompany);
}

TEST(StudioOrder, RefusesEachNonsenseFieldNamingItAndItsRange) {
    fixtures::TempDir dir;
    write_models(dir.path());
    const web::ModelShelf shelf(dir.path());
    const auto refusal = [&](const web::FormFields& extra) {
        web::FormFields fields = {{"model", "a.pianola"}};
        for (const auto& [name, value] : extra) fields[name] = value;
        return refusal_message([&] { web::parse_compose_order(fields, shelf, {}, 1); });
    };
    EXPECT_EQ(refusal({{"notes", "-5"}}), "notes must be a whole number from 1 to 2000, not '-5'");
    EXPECT_EQ(refusal({{"notes", "2001"}}), "notes must be a whole number from 1 to 2000, not '2001'");
    EXPECT_EQ(refusal({{"notes", "12abc"}}), "notes must be a whole number from 1 to 2000, not '12abc'");
    EXPECT_EQ(refusal({{"temperature", "abc"}}), "temperature must be a number from 0 to 5, not 'abc'");
    for (const std::string nonsense : {"nan", "inf", "1e999", " 1", "0x1", "-0.1", "5.01"})
        EXPECT_NE(refusal({{"temperature", nonsense}}).find("temperature must be a number"), std::string::npos)
            << nonsense;
    EXPECT_EQ(refusal({{"top_p", "0"}}), "top_p must be a number from 0.01 to 1, not '0'");
    EXPECT_NE(refusal({{"seed", "-1"}}).find("seed must be empty (a fresh one) or a whole number"), std::string::npos);
    EXPECT_EQ(refusal({{"model", "x.pianola"}}), "unknown model 'x.pianola': pick one of the models listed");
    EXPECT_EQ(refusal({{"model", ""}}), "no model chosen");
    EXPECT_EQ(refusal({{"tempreature", "1"}}), "unknown field 'tempreature'");
    EXPECT_EQ(refusal({{"notes", "40"}, {"seconds", "20"}}), "give the length once: in notes, bars or seconds");
    EXPECT_EQ(refusal({{"bars", "0"}}), "bars must be a whole number from 1 to 500, not '0'");
    EXPECT_EQ(refusal({{"time_top_p", "0"}}), "time_top_p must be a number from 0.01 to 1, not '0'");
    EXPECT_EQ(refusal({{"duration_top_p", "1.5"}}), "duration_top_p must be a number from 0.01 to 1, not '1.5'");
    EXPECT_EQ(refusal({{"memory", "3"}}), "memory must be a number from 0 to 2, not '3'");
    EXPECT_EQ(refusal({{"top_k", "-1"}}), "top_k must be a whole number from 0 to 100000, not '-1'");
    EXPECT_EQ(refusal({{"max_copy", "1.5"}}), "max_copy must be a whole number from 0 to 1000000, not '1.5'");
    EXPECT_EQ(refusal({{"redraw", "101"}}), "redraw must be a whole number from 0 to 100, not '101'");
    EXPECT_EQ(refusal({{"infill", "9-12"}}), "infill rewrites bars of a piece: upload it as the primer");
    EXPECT_EQ(refusal({{"keep", "rhythm"}}), "keep rhythm applies to infill: give the bars to rewrite");
    EXPECT_EQ(refusal({{"keep", "melody"}}), "keep must be rhythm, chords or empty, not 'melody'");
    const std::string piece = melody_bytes(dir);
    for (const std::string bad : {"12-9", "x", "0-2", "9-501", "9-", "-3", "9 - 12"})
        EXPECT_EQ(refusal({{"primer", piece}, {"infill", bad}}),
                  "infill must be the bars to rewrite, as 9-12 or 9, from 1 to 500, not '" + bad + "'");
    EXPECT_EQ(refusal({{"primer", piece}, {"infill", "2-3"}, {"notes", "40"}}),
              "infill rewrites bars of the uploaded piece: a length, a chord, max_copy and redraw do not apply");
    EXPECT_EQ(refusal({{"accompany", "melody"}}), "accompany composes around a melody: upload it as the primer");
    EXPECT_EQ(refusal({{"primer", piece}, {"accompany", "bass"}}), "accompany must be melody or empty, not 'bass'");
    EXPECT_EQ(refusal({{"primer", piece}, {"accompany", "melody"}, {"infill", "2-3"}}),
              "rewrite bars or accompany the primer, not both");
    EXPECT_EQ(refusal({{"primer", piece}, {"accompany", "melody"}, {"bars", "8"}}),
              "accompany composes around the uploaded melody, as long as it and at its tempo: a length, a chord, max_copy, "
              "redraw and tempo do not apply");
    EXPECT_NE(refusal({{"primer", piece}, {"accompany", "melody"}, {"tempo", "90"}}).find("tempo do not apply"), std::string::npos);
    EXPECT_EQ(refusal({{"tempo", "5"}}), "tempo must be a number from 10 to 400, not '5'");
    EXPECT_EQ(refusal({{"program", "128"}}), "program must be a whole number from 0 to 127, not '128'");
    EXPECT_EQ(refusal({{"ending", "fade"}}), "ending must be cadence or open, not 'fade'");
    EXPECT_EQ(refusal({{"pedal", "half"}}), "pedal must be bass or none, not 'half'");
    EXPECT_EQ(refusal({{"chord", "H minor"}}), "chord must be a chord or a key (C, Am, F#m7, Bbmaj7, D minor), not 'H minor'");
    EXPECT_EQ(refusal({{"chord", "Am"}, {"primer", melody_bytes(dir)}}), "start from a primer or from a chord, not both");
    EXPECT_EQ(refusal({{"notes", std::string(100, '9')}}),
              "notes must be a whole number from 1 to 2000, not '" + std::string(40, '9') + "...'");
}

TEST(StudioPrimer, TakesMidiAndRefusesWhatIsTooLargeOrNotMidi) {
    fixtures::TempDir dir;
    const std::string midi = melody_bytes(dir);
    EXPECT_NO_THROW(web::check_primer(midi, 1 << 20));
    EXPECT_EQ(refusal_status([&] { web::check_primer(midi, midi.size() - 1); }), 413);
    EXPECT_EQ(refusal_message([] { web::check_primer(std::string(3 << 19, 'x'), 1 << 20); }),
              "the primer is 1536.0 KiB; at most 1024 KiB is taken");
    EXPECT_EQ(refusal_message([] { web::check_primer("<html>not music</html>", 1 << 20); }),
              "the uploaded primer (byte 0): not a MIDI file: missing MThd header");
    EXPECT_EQ(refusal_status([&] { web::check_primer(midi.substr(0, midi.size() - 5), 1 << 20); }), 400);
}

TEST(StudioJobs, ReportsEachStageAndKeepsOnlyTheNewestFinishedJobs) {
    fixtures::TempDir dir;
    write_models(dir.path());
    std::counting_semaphore<> next(0);
    web::ComposeJobs jobs(
        [&](const web::ComposeOrder& order, const web::JobFiles& files, const web::ComposeJobs::Report& report) {
            next.acquire();
            report(web::JobStage::rendering);
            next.acquire();
            report(web::JobStage::drawing);
            next.acquire();
            if (order.seed == 2) throw std::runtime_error("the model is broken\nbacktrace ...");
            write_results(order, files);
            return nlohmann::json{{"seed", order.seed}};
        },
        {.waiting = 1, .kept = 1, .kept_for = std::chrono::seconds(0)});
    web::ComposeOrder order;
    order.model = "a.pianola";
    order.model_path = dir / "a.pianola";
    order.notes = 10;
    order.seed = 1;
    const std::string first = jobs.submit(order);
    const auto stage_of = [&](const std::string& id) { return jobs.status(id)->stage; };
    ASSERT_TRUE(fixtures::eventually([&] { return stage_of(first) == web::JobStage::composing; }));
    order.seed = 2;
    const std::string second = jobs.submit(order);
    EXPECT_EQ(jobs.status(second)->stage, web::JobStage::queued);
    EXPECT_EQ(jobs.status(second)->ahead, 1);
    EXPECT_EQ(refusal_status([&] { jobs.submit(order); }), 503);
    EXPECT_FALSE(jobs.result(first, "piece.mid"));

    next.release();
    ASSERT_TRUE(fixtures::eventually([&] { return stage_of(first) == web::JobStage::rendering; }));
    next.release();
    ASSERT_TRUE(fixtures::eventually([&] { return stage_of(first) == web::JobStage::drawing; }));
    next.release();
    ASSERT_TRUE(fixtures::eventually([&] { return stage_of(first) == web::JobStage::done; }));
    EXPECT_EQ(jobs.status(first)->piece, (nlohmann::json{{"seed", 1}})) << "what the work said of the piece";
    const std::optional<std::filesystem::path> midi = jobs.result(first, "piece.mid");
    ASSERT_TRUE(midi);
    EXPECT_TRUE(std::filesystem::exists(*midi));
    EXPECT_FALSE(jobs.result(first, "primer.mid"));
    EXPECT_FALSE(jobs.result(first, "../piece.mid"));

    next.release(3);
    ASSERT_TRUE(fixtures::eventually([&] { return stage_of(second) == web::JobStage::failed; }));
    EXPECT_EQ(jobs.status(second)->error, "the model is broken");
    EXPECT_TRUE(jobs.status(second)->piece.is_null());
    EXPECT_FALSE(jobs.result(second, "piece.mid"));
    EXPECT_FALSE(jobs.status(first)) << "only the newest finished job is kept";
    EXPECT_FALSE(std::filesystem::exists(midi->parent_path())) << "its files go with it";
}

namespace {

// A studio on an ephemeral port of 127.0.0.1, serving the stand-in's jobs from models in a temp folder.
class Studio {
public:
    explicit Studio(web::ComposeJobs::Work work = stand_in) {
        write_models(dir.path());
        web::StudioConfig config;
        config.port = 0;
        config.models = dir.path();
        config.page = {{"/index.html", "text/html", "<p>the studio page</p>"}, {"/studio.js", "text/javascript", "go();"}};
        server_ = std::make_unique<web::StudioServer>(std::move(config), std::move(work));
        port_ = server_->bind();
        thread_ = std::thread([this] { server_->serve(); });
    }
    ~Studio() {
        server_->stop();
        thread_.join();
    }

    int port() const { return port_; }

    httplib::Client client() const {
        httplib::Client client("127.0.0.1", port_);
        client.set_url_encode(false);  // traversal attempts go out byte for byte
        return client;
    }

    // Submits and waits until the job is done; returns its status.
    nlohmann::json compose(const httplib::MultipartFormDataItems& fields) const {
        httplib::Client http = client();
        const httplib::Result posted = http.Post("/api/compose", fields);
        if (!posted || posted->status != 202) return {{"posted", posted ? posted->status : -1}};
        const std::string status_url = nlohmann::json::parse(posted->body).at("status");
        nlohmann::json status;
        fixtures::eventually([&] {
            const httplib::Result polled = http.Get(status_url);
            status = nlohmann::json::parse(polled->body);
            return status.at("stage") == "done" || status.at("stage") == "failed";
        });
        return status;
    }

    fixtures::TempDir dir;

private:
    std::unique_ptr<web::StudioServer> server_;
    int port_ = 0;
    std::thread thread_;
};

void expect_refusal(const httplib::Result& result, int status, const std::string& mention, const std::string& what) {
    ASSERT_TRUE(result) << what << ": " << httplib::to_string(result.error());
    EXPECT_EQ(result->status, status) << what << ": " << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << what;
    const nlohmann::json body = nlohmann::json::parse(result->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << what << ": " << result->body;
    EXPECT_NE(body.value("error", "").find(mention), std::string::npos) << what << ": " << result->body;
}

}  // namespace

TEST(StudioServer, ServesItsPageAndListsTheModels) {
    const Studio studio;
    httplib::Client http = studio.client();
    const httplib::Result page = http.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->body, "<p>the studio page</p>");
    EXPECT_EQ(page->get_header_value("Content-Security-Policy"), "default-src 'self'; frame-ancestors 'none'");
    EXPECT_EQ(http.Get("/studio.js")->body, "go();");
    EXPECT_EQ(http.Get("/studioXjs")->status, 404) << "a file's path is no pattern";

    const nlohmann::json studio_json = nlohmann::json::parse(http.Get("/api/studio")->body);
    EXPECT_EQ(studio_json.at("models"), (nlohmann::json{"a.pianola", "b.pianola"}));
    EXPECT_EQ(studio_json.at("folder"), std::filesystem::canonical(studio.dir.path()).string());
    EXPECT_EQ(studio_json.at("limits").at("notes").at("max"), 2000);
    EXPECT_TRUE(studio_json.at("limits").at("notes").at("initial").is_null()) << "the model's own length";
    EXPECT_EQ(studio_json.at("limits").at("program").at("max"), 127);
    ASSERT_EQ(studio_json.at("instruments").size(), 128u) << "General MIDI's names, for the instrument menu";
    EXPECT_EQ(studio_json.at("instruments")[40], "Violin");
    EXPECT_EQ(studio_json.at("pieces"), 8) << "the queue's room: the most pieces the page asks for at once";
    EXPECT_EQ(studio_json.at("limits").at("key_pull").at("max"), 10);
    EXPECT_TRUE(studio_json.at("limits").at("top_p").at("initial").is_null()) << "the model's own";
    EXPECT_EQ(studio_json.at("limits").at("primer_bytes"), 1 << 20);
}

TEST(StudioServer, RefusesAPortAnotherStudioHolds) {
    const Studio studio;
    web::StudioConfig config;
    config.port = studio.port();
    config.models = studio.dir.path();
    web::StudioServer second(std::move(config), stand_in);
    try {
        second.bind();
        ADD_FAILURE() << "a second studio bound port " << studio.port();
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(e.what(), "cannot listen on 127.0.0.1:" + std::to_string(studio.port()) +
                                " (in use, or not an address of this machine)");
    }
}

TEST(StudioServer, ComposesAndServesTheJobsOwnFilesOnly) {
    const Studio studio;
    const nlohmann::json job = studio.compose({{"model", "a.pianola", "", ""}, {"seed", "11", "", ""}});
    ASSERT_EQ(job.value("stage", ""), "done") << job.dump();
    EXPECT_EQ(job.at("seed"), "11");
    EXPECT_EQ(job.at("piece"), (nlohmann::json{{"composed_with_seed", 11}}));
    httplib::Client http = studio.client();
    const httplib::Result wav = http.Get(job.at("files").at("wav").get<std::string>());
    ASSERT_TRUE(wav);
    EXPECT_EQ(wav->body, "wav of seed 11");
    EXPECT_EQ(wav->get_header_value("Content-Type"), "audio/wav");
    const httplib::Result part = http.Get(job.at("files").at("wav").get<std::string>(), {{"Range", "bytes=0-2"}});
    EXPECT_EQ(part->status, 206) << "the <audio> element asks for ranges";
    EXPECT_EQ(part->body, "wav");
    EXPECT_EQ(http.Get(job.at("files").at("png").get<std::string>())->get_header_value("Content-Type"), "image/png");

    const std::string id = job.at("id");
    write_file_atomically(studio.dir / "secret.txt", "must not be served");
    for (const std::string& url : std::vector<std::string>{
             "/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files/" + id + "/../../../etc/passwd",
          "/files/" + id + "/..%2f..%2f..%2fetc%2fpasswd", "/files/" + id + "/%2e%2e%2fa.pianola",
          "/files/" + id + "/primer.mid", "/files/" + id + "/a.pianola", "/files/0123456789abcdef/piece.wav",
          "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/api/jobs/../../etc/passwd",
          "/files/" + id + "/piece.wav%00.png", "/secret.txt", "/a.pianola"})
        expect_refusal(http.Get(url), 404, "no such", url);
}

TEST(StudioServer, RefusesBadFieldsAndUploadsWithAMessage) {
    const Studio studio;
    httplib::Client http = studio.client();
    const auto post = [&](httplib::MultipartFormDataItems fields) {
        fields.push_back({"model", "a.pianola", "", ""});
        return http.Post("/api/compose", fields);
    };
    expect_refusal(post({{"notes", "-5", "", ""}}), 400, "notes must be a whole number from 1 to 2000", "notes -5");
    expect_refusal(post({{"temperature", "abc", "", ""}}), 400, "temperature must be a number", "temperature abc");
    expect_refusal(http.Post("/api/compose", httplib::MultipartFormDataItems{{"model", "../a.pianola", "", ""}}), 400,
                   "unknown model '../a.pianola'", "a model outside the listing");
    expect_refusal(post({{"notes", "5", "", ""}, {"notes", "6", "", ""}}), 400, "field 'notes' is given twice", "twice");
    expect_refusal(post({{"temperature", "\xff\xfe", "", ""}}), 400, "temperature must be a number", "not UTF-8");
    expect_refusal(post({{"primer", std::string(1536 * 1024, 'x'), "big.mid", "audio/midi"}}), 413,
                   "the primer is 1536.0 KiB; at most 1024 KiB is taken", "oversized primer");
    expect_refusal(post({{"primer", std::string(72 << 20, 'x'), "huge.mid", "audio/midi"}}), 413,
                   "the request is too large", "a body far over the limit");
    expect_refusal(post({{"primer", "MThd but not really", "fake.mid", "audio/midi"}}), 400,
                   "the uploaded primer (byte ", "non-MIDI primer");
    expect_refusal(http.Post("/api/jobs/0123456789abcdef"), 404, "no such page", "a method the route lacks");
    expect_refusal(http.Get("/api/jobs/0123456789abcdef"), 404, "no such job", "an unknown job");
}

TEST(StudioOrigin, HostMustNameTheAddressListenedOn) {
    struct Case {
        const char *host, *listen;
        int port;
        bool ours;
    };
    for (const Case& c : std::vector<Case>{
             {"127.0.0.1:8080", "127.0.0.1", 8080, true},
             {"localhost:8080", "127.0.0.1", 8080, true},
             {"LocalHost:8080", "127.0.0.1", 8080, true},
             {"[::1]:8080", "::1", 8080, true},
             {"127.0.0.1", "127.0.0.1", 80, true},  // no port: 80
             {"evil.example:8080", "127.0.0.1", 8080, false},  // a rebound name
             {"127.0.0.1.nip.io:8080", "127.0.0.1", 8080, false},
             {"127.0.0.1:8081", "127.0.0.1", 8080, false},
             {"127.0.0.1", "127.0.0.1", 8080, false},
             {"127.0.0.1:8080x", "127.0.0.1", 8080, false},
             {"127.0.0.1:", "127.0.0.1", 8080, false},
             {"", "127.0.0.1", 8080, false},
             {"[evil]:8080", "::1", 8080, false},
             {"192.168.1.5:8080", "127.0.0.1", 8080, false},  // not the address listened on
             // Listening on every address: any address of the machine, never a name but localhost.
             {"192.168.1.5:8080", "0.0.0.0", 8080, true},
             {"[fe80::1]:8080", "::", 8080, true},
             {"localhost:8080", "0.0.0.0", 8080, true},
             {"evil.example:8080", "0.0.0.0", 8080, false},
             {"10.0.0.2:9000", "10.0.0.2", 9000, true},
             {"localhost:9000", "10.0.0.2", 9000, false}})
        EXPECT_EQ(web::host_is_ours(c.host, c.listen, c.port), c.ours) << c.host << " to " << c.listen << ":" << c.port;
}

TEST(StudioOrigin, AChangeFromAnotherSitesPageIsForeign) {
    EXPECT_EQ(web::foreign_origin("", "", "127.0.0.1:8080"), "") << "curl sends neither";
    EXPECT_EQ(web::foreign_origin("http://127.0.0.1:8080", "same-origin", "127.0.0.1:8080"), "");
    EXPECT_EQ(web::foreign_origin("", "none", "127.0.0.1:8080"), "") << "typed by the user";
    EXPECT_EQ(web::foreign_origin("https://evil.example", "", "127.0.0.1:8080"),
              "the request comes from https://evil.example, not from the studio's page at http://127.0.0.1:8080");
    EXPECT_NE(web::foreign_origin("null", "", "127.0.0.1:8080"), "") << "a sandboxed frame or a file";
    EXPECT_NE(web::foreign_origin("http://127.0.0.1:8081", "", "127.0.0.1:8080"), "") << "another port";
    EXPECT_EQ(web::foreign_origin("", "cross-site", "127.0.0.1:8080"),
              "the browser says the request comes from another site (Sec-Fetch-Site: cross-site)");
    EXPECT_NE(web::foreign_origin("", "same-site", "127.0.0.1:8080"), "") << "another port of this host";
}

TEST(StudioServer, DeletesAFinishedPieceWithItsFilesOnly) {
    std::counting_semaphore<> next(0);
    const Studio studio([&](const web::ComposeOrder& order, const web::JobFiles& files, const web::ComposeJobs::Report&) {
        // The second job waits (at most 10 s, should a check fail first), so it cannot be deleted yet.
        if (order.seed == 2) (void)next.try_acquire_for(std::chrono::seconds(10));
        write_results(order, files);
        return nlohmann::json{};
    });
    const nlohmann::json job = studio.compose({{"model", "a.pianola", "", ""}, {"seed", "1", "", ""}});
    ASSERT_EQ(job.value("stage", ""), "done") << job.dump();
    const std::string id = job.at("id"), ours = "http://127.0.0.1:" + std::to_string(studio.port());
    httplib::Client http = studio.client();
    ASSERT_EQ(http.Get(job.at("files").at("midi").get<std::string>())->status, 200);

    expect_refusal(http.Delete("/api/jobs/" + id, {{"Origin", "https://evil.example"}}), 403,
                   "the request comes from https://evil.example", "a delete from another site");
    const httplib::Result running = http.Post("/api/compose", {{"model", "a.pianola", "", ""}, {"seed", "2", "", ""}});
    ASSERT_EQ(running->status, 202);
    const std::string waiting = nlohmann::json::parse(running->body).at("id");
    expect_refusal(http.Delete("/api/jobs/" + waiting, {{"Origin", ours}}), 409, "still being composed", "a job not done");

    const httplib::Result deleted = http.Delete("/api/jobs/" + id, {{"Origin", ours}});
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 200) << deleted->body;
    expect_refusal(http.Get("/api/jobs/" + id), 404, "no such job", "the deleted job");
    expect_refusal(http.Get(job.at("files").at("midi").get<std::string>()), 404, "no such file", "its MIDI file");
    expect_refusal(http.Delete("/api/jobs/" + id, {{"Origin", ours}}), 404, "no such job", "deleted twice");
    next.release();
}

TEST(StudioServer, RefusesAnotherHostAndChangesFromAnotherSite) {
    const Studio studio;
    httplib::Client http = studio.client();
    const std::string ours = "127.0.0.1:" + std::to_string(studio.port());
    expect_refusal(http.Get("/", {{"Host", "evil.example:" + std::to_string(studio.port())}}), 403,
                   "this studio answers as http://" + ours + "/ only, not as evil.example", "a rebound name");
    expect_refusal(http.Get("/api/studio", {{"Host", "evil.example"}}), 403, "not as evil.example", "the API too");
    const httplib::MultipartFormDataItems fields{{"model", "a.pianola", "", ""}, {"notes", "-5", "", ""}};
    expect_refusal(http.Post("/api/compose", {{"Origin", "https://evil.example"}}, fields), 403,
                   "the request comes from https://evil.example", "a form on another site");
    expect_refusal(http.Post("/api/compose", {{"Sec-Fetch-Site", "cross-site"}}, fields), 403,
                   "Sec-Fetch-Site: cross-site", "another site, no Origin");
    // The page's own post gets as far as reading its fields.
    expect_refusal(http.Post("/api/compose", {{"Origin", "http://" + ours}, {"Sec-Fetch-Site", "same-origin"}}, fields),
                   400, "notes must be a whole number", "the studio's own page");
    EXPECT_EQ(http.Get("/", {{"Host", "localhost:" + std::to_string(studio.port())}})->status, 200);
}

TEST(StudioServer, JobsAtTheSameTimeKeepTheirOwnFilesAndPrimers) {
    std::mutex mutex;
    std::map<std::uint64_t, std::string> primers;
    const Studio studio([&](const web::ComposeOrder& order, const web::JobFiles& files,
                            const web::ComposeJobs::Report& report) {
        if (!files.primer.empty()) {
            const std::vector<std::uint8_t> bytes = read_file(files.primer);
            std::lock_guard lock(mutex);
            primers[order.seed] = {bytes.begin(), bytes.end()};
        }
        return stand_in(order, files, report);
    });
    const std::string primer = melody_bytes(studio.dir);
    std::vector<nlohmann::json> jobs(6);
    std::vector<std::thread> clients;
    for (std::size_t k = 0; k < jobs.size(); ++k)
        clients.emplace_back([&, k] {
            httplib::MultipartFormDataItems fields = {{"model", "b.pianola", "", ""}, {"seed", std::to_string(k), "", ""}};
            if (k % 2 == 1) fields.push_back({"primer", primer, "primer.mid", "audio/midi"});
            jobs[k] = studio.compose(fields);
        });
    for (std::thread& client : clients) client.join();

    httplib::Client http = studio.client();
    std::set<std::string> ids;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
        ASSERT_EQ(jobs[k].value("stage", ""), "done") << jobs[k].dump();
        ids.insert(jobs[k].at("id").get<std::string>());
        EXPECT_EQ(http.Get(jobs[k].at("files").at("png").get<std::string>())->body, "png of seed " + std::to_string(k));
        const std::string midi = http.Get(jobs[k].at("files").at("midi").get<std::string>())->body;
        const music::Score score = music::score_from_midi(
            midi::read_midi({reinterpret_cast<const std::uint8_t*>(midi.data()), midi.size()}, "piece"));
        ASSERT_FALSE(score.notes.empty());
        EXPECT_EQ(score.notes.front().pitch, pitch_of(k));
    }
    EXPECT_EQ(ids.size(), jobs.size());
    EXPECT_EQ(primers.size(), 3u);
    for (const auto& [seed, bytes] : primers) {
        EXPECT_EQ(seed % 2, 1u);
        EXPECT_EQ(bytes, primer);
    }
}
