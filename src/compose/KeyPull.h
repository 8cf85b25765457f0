// KeyPull: keeps a composed piece in the key it has set up without narrowing its register. A
// weak model drifts out of key unless its unlikely pitches are cut (top-p), and the cut also takes
// its unlikely registers, the bass and the top (on ff-piano, top-p 0.4 left a range of 26
// semitones against 48). The pull instead weighs each pitch by how much of the piece so far sits
// on its pitch class, in every octave alike:
//   logit(pitch) += strength * ln(12 * share of the piece's notes on its pitch class),
// the share smoothed by one note per class (so the first notes are free), then all pitch tokens
// shifted together so that their total probability is unchanged: the pull changes which pitch is
// drawn, never how often a pitch is drawn rather than a time token. Timed tokens only; a seed-token
// model's chord tokens are not one pitch, so there it does nothing. The strength is calibrated
// after training (compose::DecodingCalibration), not learned.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::compose {

// By id: the pitch class of a timed pitch token, -1 for every other token (all, for seed tokens).
std::vector<int> pitch_classes(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary);

class KeyPull {
public:
    // pitch_classes: by id, as pitch_classes() gives; must outlive the pull.
    explicit KeyPull(std::span<const int> pitch_classes) : pitch_classes_(pitch_classes) {}
    void push(std::int64_t id);
    // logits: V, rewritten in place; -inf stays -inf. A strength of 0 changes nothing.
    void pull(std::span<float> logits, double strength) const;

private:
    std::span<const int> pitch_classes_;
    std::array<double, 12> notes_{};  // the piece's pitches so far, by class
    double total_ = 0;
};

}  // namespace pianola::compose
