#include "web/ComposeOrder.h"

#include <limits>
#include <set>

#include <fmt/core.h>

#include "music/ChordSymbol.h"
#include "web/FormReading.h"
#include "web/PrimerUpload.h"
#include "web/RequestError.h"

namespace pianola::web {

namespace {

std::uint64_t read_seed(const FormFields& fields, std::uint64_t fresh_seed) {
    const auto found = fields.find("seed");
    if (found == fields.end() || found->second.empty()) return fresh_seed;
    std::uint64_t seed = 0;
    if (!read_number(found->second, seed))
        throw RequestError(400, fmt::format("seed must be empty (a fresh one) or a whole number from 0 to {}, not {}",
                                            std::numeric_limits<std::uint64_t>::max(), quote_sent(found->second)));
    return seed;
}

// "9-12" or "9": bars from 1 to the limit, the first not after the last.
std::pair<int, int> bar_range(const std::string& text, const Bounded<int>& bars) {
    const std::size_t dash = text.find('-');
    int first = 0, last = 0;
    const bool read = read_number(text.substr(0, dash), first) &&
                      (dash == std::string::npos ? (last = first, true) : read_number(text.substr(dash + 1), last));
    if (!read || first < bars.min || last > bars.max || first > last)
        throw RequestError(400, fmt::format("infill must be the bars to rewrite, as 9-12 or 9, from {} to {}, not {}",
                                            bars.min, bars.max, quote_sent(text)));
    return {first, last};
}

void read_infill(const FormFields& fields, const ComposeLimits& limits, ComposeOrder& order) {
    const auto infill = fields.find("infill");
    const auto keep = fields.find("keep");
    const std::string kept = keep == fields.end() ? "" : keep->second;
    if (!kept.empty() && kept != "rhythm" && kept != "chords")
        throw RequestError(400, "keep must be rhythm, chords or empty, not " + quote_sent(kept));
    if (infill == fields.end() || infill->second.empty()) {
        if (!kept.empty()) throw RequestError(400, "keep " + kept + " applies to infill: give the bars to rewrite");
        return;
    }
    if (order.primer.empty()) throw RequestError(400, "infill rewrites bars of a piece: upload it as the primer");
    if (order.notes || order.bars || order.seconds || !order.chord.empty() || order.max_copy || order.redraw > 0)
        throw RequestError(400, "infill rewrites bars of the uploaded piece: a length, a chord, max_copy and redraw do not apply");
    order.infill = bar_range(infill->second, limits.bars);
    order.keep = kept;
}

void read_accompany(const FormFields& fields, ComposeOrder& order) {
    const auto accompany = fields.find("accompany");
    if (accompany == fields.end() || accompany->second.empty()) return;
    if (accompany->second != "melody") throw RequestError(400, "accompany must be melody or empty, not " + quote_sent(accompany->second));
    if (order.primer.empty()) throw RequestError(400, "accompany composes around a melody: upload it as the primer");
    if (order.infill) throw RequestError(400, "rewrite bars or accompany the primer, not both");
    if (order.notes || order.bars || order.seconds || !order.chord.empty() || order.max_copy || order.redraw > 0 || order.tempo)
        throw RequestError(400, "accompany composes around the uploaded melody, as long as it and at its tempo: a length, a "
                                "chord, max_copy, redraw and tempo do not apply");
    order.accompany = true;
}

}  // namespace

ComposeOrder parse_compose_order(const FormFields& fields, const ModelShelf& shelf, const ComposeLimits& limits,
                                 std::uint64_t fresh_seed) {
    static const std::set<std::string> known = {"model",      "notes",  "bars",     "seconds", "temperature",
                                                "top_p",      "time_temperature",   "time_top_p", "memory",
                                                "duration_temperature", "duration_top_p",
                                                "key_pull",   "tempo",  "program",  "seed",    "primer",
                                                "chord",      "ending", "top_k",    "max_copy", "redraw",
                                                "infill",     "keep",   "accompany", "pedal"};
    for (const auto& [name, value] : fields)
        if (!known.contains(name)) throw RequestError(400, "unknown field " + quote_sent(name));
    const auto model = fields.find("model");
    if (model == fields.end() || model->second.empty()) throw RequestError(400, "no model chosen");

    ComposeOrder order;
    order.model = model->second;
    order.model_path = shelf.path_of(order.model);
    order.notes = read_bounded(fields, "notes", limits.notes);
    order.bars = read_bounded(fields, "bars", limits.bars);
    order.seconds = read_bounded(fields, "seconds", limits.seconds);
    if (int{order.notes.has_value()} + int{order.bars.has_value()} + int{order.seconds.has_value()} > 1)
        throw RequestError(400, "give the length once: in notes, bars or seconds");
    order.temperature = read_bounded(fields, "temperature", limits.temperature);
    order.top_p = read_bounded(fields, "top_p", limits.top_p);
    order.time_temperature = read_bounded(fields, "time_temperature", limits.time_temperature);
    order.time_top_p = read_bounded(fields, "time_top_p", limits.time_top_p);
    order.duration_temperature = read_bounded(fields, "duration_temperature", limits.duration_temperature);
    order.duration_top_p = read_bounded(fields, "duration_top_p", limits.duration_top_p);
    order.memory = read_bounded(fields, "memory", limits.memory);
    order.key_pull = read_bounded(fields, "key_pull", limits.key_pull);
    order.tempo = read_bounded(fields, "tempo", limits.tempo);
    order.program = read_bounded(fields, "program", limits.program);
    order.top_k = *read_bounded(fields, "top_k", limits.top_k);
    order.max_copy = read_bounded(fields, "max_copy", limits.max_copy);
    order.redraw = *read_bounded(fields, "redraw", limits.redraw);
    order.seed = read_seed(fields, fresh_seed);
    if (const auto ending = fields.find("ending"); ending != fields.end() && !ending->second.empty()) {
        if (ending->second != "cadence" && ending->second != "open")
            throw RequestError(400, "ending must be cadence or open, not " + quote_sent(ending->second));
        order.cadence = ending->second == "cadence";
    }
    if (const auto pedal = fields.find("pedal"); pedal != fields.end() && !pedal->second.empty()) {
        if (pedal->second != "bass" && pedal->second != "none")
            throw RequestError(400, "pedal must be bass or none, not " + quote_sent(pedal->second));
        order.bass_pedal = pedal->second == "bass";
    }
    if (const auto primer = fields.find("primer"); primer != fields.end() && !primer->second.empty()) {
        check_primer(primer->second, limits.primer_bytes);
        order.primer = primer->second;
    }
    if (const auto chord = fields.find("chord"); chord != fields.end() && !chord->second.empty()) {
        if (!order.primer.empty()) throw RequestError(400, "start from a primer or from a chord, not both");
        try {
            music::chord_pitches(chord->second);
        } catch (const std::invalid_argument&) {
            throw RequestError(400, "chord must be a chord or a key (C, Am, F#m7, Bbmaj7, D minor), not " +
                                        quote_sent(chord->second));
        }
        order.chord = chord->second;
    }
    read_infill(fields, limits, order);
    read_accompany(fields, order);
    return order;
}

}  // namespace pianola::web
