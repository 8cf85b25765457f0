// Level: how loud the WAV is. The user's gain is applied to the synthesizer's float output, and a
// piece that would then peak above the ceiling is scaled down as a whole until its loudest sample
// sits on it. Nothing clips and the dynamics are kept; it is not a compressor or limiter that
// reshapes loud passages, and it never makes a quiet piece louder than the gain asks.
#pragma once

#include "audio/Audio.h"

namespace pianola::audio {

inline constexpr double ceiling_dbfs = -1.0;  // headroom for the inter-sample peaks of lossy re-encoding

float peak(const Audio& audio);  // the largest |sample|; 1.0 is 0 dBFS
double to_dbfs(float amplitude);  // -inf for silence

struct LevelReport {
    double peak_dbfs = 0;        // after the stage
    double reduced_by_db = 0;    // how far the ceiling scaled the piece down (0: not at all)
};

LevelReport set_level(Audio& audio, double gain_db);

}  // namespace pianola::audio
