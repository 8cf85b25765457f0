#include "web/TrainingForm.h"

#include <algorithm>
#include <set>

namespace pianola::web {

TrainingForm parse_training_form(const FormFields& fields, const TrainingLimits& limits) {
    static const std::set<std::string> known = {"upload", "name", "preset", "minutes", "fill_rate"};
    for (const auto& [name, value] : fields)
        if (!known.contains(name)) throw RequestError(400, "unknown field " + quote_sent(name));
    const auto text = [&fields](const std::string& name) {
        const auto found = fields.find(name);
        return found == fields.end() ? std::string() : found->second;
    };
    TrainingForm form;
    form.upload = text("upload");
    if (form.upload.empty()) throw RequestError(400, "no upload chosen: send the MIDI files first");
    form.order.name = text("name");
    if (form.order.name.empty()) throw RequestError(400, "no name given for the model");
    form.order.preset = text("preset");
    if (form.order.preset.empty() && !limits.presets.empty()) form.order.preset = limits.presets.front();
    if (std::find(limits.presets.begin(), limits.presets.end(), form.order.preset) == limits.presets.end()) {
        std::string known_presets;
        for (const std::string& p : limits.presets) known_presets += (known_presets.empty() ? "" : ", ") + p;
        throw RequestError(400, "preset must be one of " + known_presets + ", not " + quote_sent(form.order.preset));
    }
    form.order.minutes = *read_bounded(fields, "minutes", limits.minutes);
    form.order.fill_rate = *read_bounded(fields, "fill_rate", limits.fill_rate);
    return form;
}

}  // namespace pianola::web
