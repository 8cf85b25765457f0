// TrainingDisplay: shows training as it runs. On a terminal one progress bar redrawn in place
// (epoch, step/total, loss, samples/s, ETA); otherwise plain lines, one per epoch and one every
// half minute inside long epochs, so logs stay readable.
#pragma once

#include <chrono>

#include "train/SeedTrainer.h"

namespace pianola::app {

class TrainingDisplay {
public:
    TrainingDisplay();
    void step(const train::StepReport& report);
    void epoch(const train::EpochReport& report);

private:
    using Clock = std::chrono::steady_clock;
    bool terminal_;
    Clock::time_point start_, last_draw_;
};

}  // namespace pianola::app
