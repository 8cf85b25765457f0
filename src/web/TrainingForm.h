// TrainingForm: what the studio's page asks to train, read from a request's form fields: the
// upload to train on, the model's name, a preset the CLI offers, a time budget in minutes and the
// share of pieces laid out to fill in the middle (for a model that rewrites bars),
// each bad field refused with a message naming it (RequestError, 400). It only validates; the
// training is TrainingRuns'.
#pragma once

#include <string>
#include <vector>

#include "web/FormReading.h"
#include "web/TrainingRuns.h"

namespace pianola::web {

struct TrainingLimits {
    std::vector<std::string> presets;            // the first is the page's starting choice
    Bounded<double> minutes{0.5, 600.0, 10.0};   // the whole budget, calibration included
    Bounded<double> fill_rate{0.0, 1.0, 0.0};    // train --fill-rate: 0 reads every piece in order
};

struct TrainingForm {
    std::string upload;  // the upload's id, as POST /api/uploads gave it
    TrainingOrder order;
};

TrainingForm parse_training_form(const FormFields& fields, const TrainingLimits& limits);

}  // namespace pianola::web
