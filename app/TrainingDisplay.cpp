#include "TrainingDisplay.h"

#include <cstdio>
#include <unistd.h>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace pianola::app {

static std::string clock_time(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                     : fmt::format("{}:{:02}", s / 60, s % 60);
}

static std::string validation_text(const eval::CrossEntropy& v) {
    const std::string per_note = v.notes > 0 ? fmt::format(", {:.3f} bits/note", v.bits_per_note()) : "";
    return fmt::format("val {:.4f} ({:.3f} bits/token{}, perplexity {:.1f})", v.nats_per_token(), v.bits_per_token(),
                       per_note, v.perplexity());
}

static nlohmann::json validation_json(const std::optional<eval::CrossEntropy>& v) {
    if (!v) return nullptr;
    return {{"nats_per_token", v->nats_per_token()},
            {"bits_per_token", v->bits_per_token()},
            {"bits_per_note", v->bits_per_note()},
            {"perplexity", v->perplexity()},
            {"tokens", v->tokens},
            {"notes", v->notes}};
}

TrainingDisplay::TrainingDisplay(std::string unit, bool json)
    : unit_(std::move(unit)), json_(json), terminal_(::isatty(STDERR_FILENO) != 0), start_(Clock::now()),
      last_draw_(start_) {}

void TrainingDisplay::step(const train::StepReport& r) {
    const auto now = Clock::now();
    const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    if (since_draw < (terminal_ ? 0.1 : 30.0) && r.step != r.steps) return;
    last_draw_ = now;

    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double done = static_cast<double>(r.epoch - 1) * static_cast<double>(r.steps) + static_cast<double>(r.step);
    const double total = static_cast<double>(r.epochs) * static_cast<double>(r.steps);
    const double eta = elapsed / done * (total - done);
    const std::string stats = fmt::format("epoch {}/{} step {}/{} loss {:.4f} {:.0f} {}/s ETA {}", r.epoch, r.epochs,
                                          r.step, r.steps, r.loss, r.rate, unit_, clock_time(eta));
    if (terminal_) {
        constexpr int width = 24;
        const int filled = static_cast<int>(width * r.step / r.steps);
        fmt::print(stderr, "\r[{}{}] {}\x1b[K", std::string(filled, '#'), std::string(width - filled, '.'), stats);
    } else if (r.step != r.steps) {
        fmt::print(stderr, "{}\n", stats);
    }
    std::fflush(stderr);
}

void TrainingDisplay::epoch(const train::EpochReport& r) {
    if (terminal_) fmt::print(stderr, "\r\x1b[K");
    // The gap between validation and training loss: wide and widening, the model learns its pieces by
    // heart (training runs with dropout on, so early on it can be below zero).
    const std::optional<double> gap = r.validation ? std::optional(r.validation->nats_per_token() - r.loss) : std::nullopt;
    fmt::print(stderr, "epoch {}/{} loss {:.4f}{} ({:.1f} s, {:.0f} {}/s, lr {:.3g}, ETA {}){}{}\n", r.epoch, r.epochs,
               r.loss, r.validation ? fmt::format(" {} gap {:+.4f}", validation_text(*r.validation), *gap) : "", r.seconds,
               r.rate, unit_,
               r.learning_rate, clock_time(r.eta_seconds), r.complete ? "" : ", cut short by the budget",
               r.saved ? ", saved" : "");
    if (json_) {
        const nlohmann::json line = {{"epoch", r.epoch},         {"epochs", r.epochs},
                                     {"loss", r.loss},           {"validation", validation_json(r.validation)},
                                     {"gap", gap ? nlohmann::json(*gap) : nlohmann::json()},
                                     {"seconds", r.seconds},     {unit_ + "_per_s", r.rate},
                                     {"learning_rate", r.learning_rate}, {"complete", r.complete},
                                     {"saved", r.saved}};
        fmt::print("{}\n", line.dump());
        std::fflush(stdout);
    }
}

void TrainingDisplay::summary(const train::TrainSummary& s, const std::filesystem::path& model) {
    const std::string stop = s.stopped_early       ? ", stopped early (validation stopped improving)"
                             : s.stopped_by_request ? ", stopped on request"
                             : s.stopped_by_budget ? ", stopped by the budget"
                                                   : "";
    const std::string best = s.best_validation ? validation_text(*s.best_validation)
                                               : fmt::format("loss {:.4f}", s.best_loss);
    fmt::print(json_ ? stderr : stdout,
               "trained {} epochs of {} {} in {:.1f} s ({:.0f} {}/s){}; best {} at epoch {}; model written to {}\n",
               s.epochs, s.examples, unit_, s.seconds, s.rate, unit_, stop, best, s.best_epoch, model.string());
    if (json_) {
        const nlohmann::json line = {{"summary", true},
                                     {"epochs", s.epochs},
                                     {"best_epoch", s.best_epoch},
                                     {"best_validation", validation_json(s.best_validation)},
                                     {"seconds", s.seconds},
                                     {unit_ + "_per_s", s.rate},
                                     {"stopped_early", s.stopped_early},
                                     {"stopped_by_budget", s.stopped_by_budget},
                                     {"stopped_by_request", s.stopped_by_request},
                                     {"model", model.string()}};
        fmt::print("{}\n", line.dump());
    }
}

}  // namespace pianola::app
