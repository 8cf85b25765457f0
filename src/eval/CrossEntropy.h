// CrossEntropy: how well a model predicts held-out tokens, summed so that pieces and batches
// add up: the total negative log-likelihood in nats and the number of tokens it covers. Every
// model (the LSTM, the n-gram baselines) reports through it, so their figures compare.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace pianola::eval {

struct CrossEntropy {
    double nats = 0;          // sum over tokens of -ln p(token | its context)
    std::int64_t tokens = 0;  // how many predictions that sum covers
    // The notes those tokens spell (0: not known). Tokenizers spend different numbers of tokens on
    // a note, so only bits per note compare them.
    std::int64_t notes = 0;

    CrossEntropy& operator+=(const CrossEntropy& other) {
        nats += other.nats;
        tokens += other.tokens;
        notes += other.notes;
        return *this;
    }
    double nats_per_token() const { return tokens == 0 ? 0.0 : nats / static_cast<double>(tokens); }
    double bits_per_token() const { return nats_per_token() / std::numbers::ln2; }
    double bits_per_note() const { return notes == 0 ? 0.0 : nats / static_cast<double>(notes) / std::numbers::ln2; }
    double perplexity() const { return std::exp(nats_per_token()); }
};

}  // namespace pianola::eval
