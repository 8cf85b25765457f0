// KeyEstimate: the key a piece is in, from how often each pitch class sounds, by the
// Krumhansl-Schmuckler method: the correlation of those counts with the Krumhansl-Kessler probe-tone
// profiles of each of the 24 major and minor keys, the best one taken. Unlike the fullest scale
// (MusicStats' fullest_scale, which cannot tell C major from A natural minor), the profiles weigh
// the tonic and the fifth, so relative keys come apart. What a composed ending resolves to
// (compose::TokenRules) and what `evaluate` checks a piece's last onset against.
// It does not follow modulations: one key for the counts given.
#pragma once

#include <array>

namespace pianola::eval {

struct Key {
    int tonic = 0;       // pitch class, C = 0
    bool minor = false;
    // The pitch classes of its tonic triad, root first.
    std::array<int, 3> triad() const { return {tonic, (tonic + (minor ? 3 : 4)) % 12, (tonic + 7) % 12}; }
};

// counts: notes (or any weight) by pitch class from C. All zero gives C major.
Key estimate_key(const std::array<double, 12>& counts);

}  // namespace pianola::eval
