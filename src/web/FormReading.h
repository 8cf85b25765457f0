// FormReading: the form fields of a studio request and how a number among them is read: the whole
// text a number, within its bounds, or a RequestError (400) that names the field and its range and
// quotes what was sent. Shared by the composition's and the training's forms.
#pragma once

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include <fmt/core.h>

#include "web/RequestError.h"

namespace pianola::web {

// Field name -> value; an uploaded file's value is its bytes.
using FormFields = std::map<std::string, std::string>;

template <typename T>
struct Bounded {
    T min, max;
    std::optional<T> initial;  // the page's starting value and what an absent or empty field means; none: the model's own
};

// A refused value is quoted back, cut short: it may be anything a client sent.
inline std::string quote_sent(const std::string& text) {
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

template <typename T>
std::optional<T> read_bounded(const FormFields& fields, const std::string& name, const Bounded<T>& range) {
    const auto found = fields.find(name);
    if (found == fields.end() || found->second.empty()) return range.initial;
    T value{};
    if (!read_number(found->second, value) || !std::isfinite(static_cast<double>(value)) || value < range.min ||
        value > range.max)
        throw RequestError(400, fmt::format("{} must be {} from {} to {}, not {}", name,
                                            std::is_integral_v<T> ? "a whole number" : "a number", range.min,
                                            range.max, quote_sent(found->second)));
    return value;
}

}  // namespace pianola::web
