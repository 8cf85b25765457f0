// WavFile: Audio to a 16-bit PCM stereo WAV file, encoded by libsndfile and written atomically
// (io/AtomicFile), so a failed or killed render never leaves a partial WAV. It quantizes and
// nothing more: the level stage (Level.h) has already kept every sample inside full scale.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/Audio.h"

namespace pianola::audio {

// `name` is used only in error messages.
std::vector<std::uint8_t> encode_wav(const Audio& audio, const std::string& name);

// Throws FileError naming `path` when it cannot be encoded or written.
void write_wav(const std::filesystem::path& path, const Audio& audio);

}  // namespace pianola::audio
