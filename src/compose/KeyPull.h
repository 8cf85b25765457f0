// KeyPull: keeps a composed piece in the key it has set up without narrowing its register. A
// weak model drifts out of key unless its unlikely pitches are cut (top-p), and the cut also takes
// its unlikely registers, the bass and the top (on ff-piano, top-p 0.4 left a range of 26
// semitones against 48). The pull instead lowers, in every octave alike, the pitches outside the
// scale that holds the most of the piece's notes so far (a major or harmonic minor scale, as
// `evaluate`'s scale consistency counts them):
//   logit(pitch outside) -= strength * n / (n + 8), n the piece's notes so far,
// so the first notes are nearly free and the key firms up as the piece sets it, then shifts all
// pitch tokens together so that their total probability is unchanged: the pull changes which pitch
// is drawn, never how often a pitch is drawn rather than a time token. It leaves the notes of the
// scale as the model weighs them: a pull by each class' share of the piece (its first form) made
// the tonic ever likelier and pieces all in one scale where human ones stray a little (at strength
// 1, scale consistency 1.000 against the held-out pieces' 0.980 on the Debian corpus; at 0.5, 4 of
// 20 ff-piano pieces looped).
// Timed tokens only; a seed-token model's chord tokens are not one pitch, so there it does
// nothing. The strength is calibrated after training (compose::DecodingCalibration), not learned.
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
    // logits: V, rewritten in place; -inf stays -inf. A strength of 0, or no notes yet, changes nothing.
    void pull(std::span<float> logits, double strength) const;

private:
    std::span<const int> pitch_classes_;
    std::array<double, 12> notes_{};  // the piece's pitches so far, by class
    double total_ = 0;
    std::array<bool, 12> scale_{};    // eval::fullest_scale of notes_: found where a note comes, not at every step
};

}  // namespace pianola::compose
