#include "web/ComposeOrder.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/core.h>

#include "web/PrimerUpload.h"
#include "web/RequestError.h"

namespace pianola::web {

namespace {

// A refused value is quoted back, cut short: it may be anything a client sent.
std::string quoted(const std::string& text) {
    constexpr std::size_t shown = 40;
    return "'" + (text.size() > shown ? text.substr(0, shown) + "..." : text) + "'";
}

// The whole text must be the number: from_chars stops at the first character it cannot read.
template <typename T>
bool read_number(const std::string& text, T& value) {
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc() && stop == end;
}

int read_int(const FormFields& fields, const std::string& name, const Bounded<int>& range) {
    const auto found = fields.find(name);
    if (found == fields.end()) return range.initial;
    int value = 0;
    if (!read_number(found->second, value) || value < range.min || value > range.max)
        throw RequestError(400, fmt::format("{} must be a whole number from {} to {}, not {}", name, range.min,
                                            range.max, quoted(found->second)));
    return value;
}

double read_double(const FormFields& fields, const std::string& name, const Bounded<double>& range) {
    const auto found = fields.find(name);
    if (found == fields.end()) return range.initial;
    double value = 0;
    if (!read_number(found->second, value) || !std::isfinite(value) || value < range.min || value > range.max)
        throw RequestError(400, fmt::format("{} must be a number from {} to {}, not {}", name, range.min, range.max,
                                            quoted(found->second)));
    return value;
}

std::uint64_t read_seed(const FormFields& fields, std::uint64_t fresh_seed) {
    const auto found = fields.find("seed");
    if (found == fields.end() || found->second.empty()) return fresh_seed;
    std::uint64_t seed = 0;
    if (!read_number(found->second, seed))
        throw RequestError(400, fmt::format("seed must be empty (a fresh one) or a whole number from 0 to {}, not {}",
                                            std::numeric_limits<std::uint64_t>::max(), quoted(found->second)));
    return seed;
}

}  // namespace

ComposeOrder parse_compose_order(const FormFields& fields, const ModelShelf& shelf, const ComposeLimits& limits,
                                 std::uint64_t fresh_seed) {
    static const std::set<std::string> known = {"model", "notes", "temperature", "top_p", "seed", "primer"};
    for (const auto& [name, value] : fields)
        if (!known.contains(name)) throw RequestError(400, "unknown field " + quoted(name));
    const auto model = fields.find("model");
    if (model == fields.end() || model->second.empty()) throw RequestError(400, "no model chosen");

    ComposeOrder order;
    order.model = model->second;
    order.model_path = shelf.path_of(order.model);
    order.notes = read_int(fields, "notes", limits.notes);
    order.temperature = read_double(fields, "temperature", limits.temperature);
    order.top_p = read_double(fields, "top_p", limits.top_p);
    order.seed = read_seed(fields, fresh_seed);
    if (const auto primer = fields.find("primer"); primer != fields.end() && !primer->second.empty()) {
        check_primer(primer->second, limits.primer_bytes);
        order.primer = primer->second;
    }
    return order;
}

}  // namespace pianola::web
