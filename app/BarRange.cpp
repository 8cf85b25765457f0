#include "BarRange.h"

#include <stdexcept>

namespace pianola::app {

std::pair<int, int> bar_range(const std::string& text) {
    const std::size_t dash = text.find('-');
    int first = 0, last = 0;
    std::size_t used = 0;
    try {
        first = std::stoi(text.substr(0, dash), &used);
        if (used != text.substr(0, dash).size()) throw std::invalid_argument(text);
        last = first;
        if (dash != std::string::npos) {
            last = std::stoi(text.substr(dash + 1), &used);
            if (used != text.size() - dash - 1) throw std::invalid_argument(text);
        }
    } catch (const std::logic_error&) {
        throw std::invalid_argument("--bars with --infill takes the bars to rewrite, as 9-12 or 9, not \"" + text + "\"");
    }
    if (first < 1 || last < first)
        throw std::invalid_argument("--bars with --infill takes bars from 1 on, the first not after the last, not \"" + text + "\"");
    return {first, last};
}

}  // namespace pianola::app
