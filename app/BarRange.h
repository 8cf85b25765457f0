// BarRange: the bars `--bars A-B` names with --infill (generate rewrites them, evaluate measures
// how well they fit), read as the CLI reads it.
#pragma once

#include <string>
#include <utility>

namespace pianola::app {

// "A-B" or "A": 1-based bars, A <= B. Throws std::invalid_argument naming --bars.
std::pair<int, int> bar_range(const std::string& text);

}  // namespace pianola::app
