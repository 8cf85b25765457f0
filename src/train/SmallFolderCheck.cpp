#include "train/SmallFolderCheck.h"

#include <algorithm>

namespace pianola::train {

namespace {

constexpr int rising_epochs = 2;
constexpr double memorized_ratio = 0.7;  // training loss over validation loss

}  // namespace

std::optional<Overfitting> overfitting(const std::vector<EpochLosses>& epochs) {
    if (epochs.size() < rising_epochs + 1) return std::nullopt;
    const auto best = std::min_element(epochs.begin(), epochs.end(),
                                       [](const EpochLosses& a, const EpochLosses& b) { return a.validation < b.validation; });
    const EpochLosses& now = epochs.back();
    if (epochs.end() - best <= rising_epochs) return std::nullopt;
    for (auto e = epochs.end() - rising_epochs; e != epochs.end(); ++e)
        if (e->validation <= (e - 1)->validation) return std::nullopt;
    if (now.train >= best->train || now.train > memorized_ratio * now.validation) return std::nullopt;
    return Overfitting{*best, now};
}

}  // namespace pianola::train
