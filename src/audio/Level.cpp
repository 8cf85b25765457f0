#include "audio/Level.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pianola::audio {

namespace {

double amplitude_of(double db) { return std::pow(10.0, db / 20.0); }

void scale(Audio& audio, double factor) {
    for (float& s : audio.samples) s = static_cast<float>(s * factor);
}

}  // namespace

float peak(const Audio& audio) {
    float loudest = 0;
    for (float s : audio.samples) loudest = std::max(loudest, std::abs(s));
    return loudest;
}

double to_dbfs(float amplitude) {
    return amplitude > 0 ? 20.0 * std::log10(amplitude) : -std::numeric_limits<double>::infinity();
}

LevelReport set_level(Audio& audio, double gain_db) {
    const double gained_peak = peak(audio) * amplitude_of(gain_db);
    const double ceiling = amplitude_of(ceiling_dbfs);
    const double reduction = gained_peak > ceiling ? ceiling / gained_peak : 1.0;
    scale(audio, amplitude_of(gain_db) * reduction);
    return {to_dbfs(peak(audio)), -20.0 * std::log10(reduction)};
}

}  // namespace pianola::audio
