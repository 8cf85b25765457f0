// Audio: rendered sound in memory, the hand-over between the synthesizer, the level stage and the
// WAV writer. Float samples keep the headroom a mix of many voices needs until the level stage has
// chosen the final gain; only the WAV writer quantizes. It is not a streaming buffer: a piece is
// held whole, which is what lets the level stage see its loudest moment before anything is written.
#pragma once

#include <cstddef>
#include <vector>

namespace pianola::audio {

struct Audio {
    static constexpr int channels = 2;  // General MIDI pans voices, so the synthesizer's output is stereo
    int sample_rate = 44100;
    std::vector<float> samples;  // interleaved left, right; 1.0 is full scale (0 dBFS)

    std::size_t frames() const { return samples.size() / channels; }
    double seconds() const { return static_cast<double>(frames()) / sample_rate; }
};

}  // namespace pianola::audio
