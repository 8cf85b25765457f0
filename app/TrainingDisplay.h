// TrainingDisplay: shows training as it runs. On a terminal one progress bar per epoch, redrawn in
// place (step/total, loss, rate, ETA) and left behind as the epoch's line with its validation
// figures; otherwise plain lines, one per epoch and one every half minute inside long epochs, so
// logs stay readable. With JSON on, each epoch and the final summary are also one JSON line on
// stdout and the prose goes to stderr only.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "train/TrainingReport.h"

namespace pianola::app {

class TrainingDisplay {
public:
    // unit: what the rate counts ("samples", "tokens").
    TrainingDisplay(std::string unit, bool json);
    void step(const train::StepReport& report);
    void epoch(const train::EpochReport& report);
    void summary(const train::TrainSummary& summary, const std::filesystem::path& model);

private:
    using Clock = std::chrono::steady_clock;
    std::string unit_;
    bool json_;
    bool terminal_;
    Clock::time_point start_, last_draw_;
};

}  // namespace pianola::app
