// TrainingReport: what a training loop tells its caller while it runs and when it ends, shared
// by both trainers so that one display and one JSON writer serve them. The seed trainer counts
// samples (windows), the next-token trainer counts tokens: `rate` is per second in that unit.
#pragma once

#include <cstdint>
#include <optional>

#include "eval/CrossEntropy.h"

namespace pianola::train {

struct StepReport {
    int epoch = 0, epochs = 0;          // 1-based epoch
    std::int64_t step = 0, steps = 0;   // 1-based step within the epoch
    double loss = 0;                    // mean training loss of the epoch so far, nats
    double rate = 0;                    // samples or tokens per second, this epoch so far
};

struct EpochReport {
    int epoch = 0, epochs = 0;
    double loss = 0;                    // mean training loss, nats
    std::optional<eval::CrossEntropy> validation;
    double seconds = 0;                 // this epoch, validation included
    double rate = 0;
    double learning_rate = 0;
    double eta_seconds = 0;             // to the last planned epoch, at this epoch's pace
    bool complete = true;               // false: cut short by the time or step budget
    bool saved = false;                 // the best so far: the model file was written
};

struct TrainSummary {
    int epochs = 0;                     // epochs run, the last possibly partial
    int best_epoch = 0;
    double best_loss = 0;               // the criterion: validation nats/token, else training loss
    std::optional<eval::CrossEntropy> best_validation;
    double seconds = 0;                 // this run (a resumed run counts from its resume)
    double rate = 0;
    std::int64_t examples = 0;          // windows (seed) or training tokens (next-token) per epoch
    bool stopped_by_budget = false;     // --max-minutes, a step budget or a stop request ended it early
    bool stopped_by_request = false;    // a stop request (LmJob::stop) did
    bool stopped_early = false;         // validation stopped improving
};

}  // namespace pianola::train
