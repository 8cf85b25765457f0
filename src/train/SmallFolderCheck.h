// SmallFolderCheck: whether a folder of pieces is too small for the model learning it, read from
// the losses each epoch reports. Users chase a low training loss on twenty pieces and get copies:
// the model learns those pieces, not music. The sign is validation rising while training keeps
// falling, with a wide gap between them: the held-out pieces are predicted worse and worse as the
// training pieces are learned by heart.
// It does not stop training (early stopping does) and knows nothing of models or files.
#pragma once

#include <optional>
#include <vector>

namespace pianola::train {

struct EpochLosses {
    int epoch = 0;
    double train = 0, validation = 0;  // nats per token; training with dropout on
};

struct Overfitting {
    EpochLosses best, now;  // the best validation's epoch, and the epoch the sign showed at
};

// Validation above its best for the last two epochs, each higher than the one before, while the
// training loss fell below its value at the best epoch and now lies at most 70% of validation.
// The gap is what tells memorizing from ordinary convergence: the default model on ff-piano (92
// pieces) was at 82% after 9 epochs, still improving; learning a few pieces by heart goes far lower.
std::optional<Overfitting> overfitting(const std::vector<EpochLosses>& epochs);

}  // namespace pianola::train
