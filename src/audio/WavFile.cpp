// libsndfile writes the RIFF header (and patches its sizes on close) through virtual I/O into
// memory; the bytes then take the same atomic path as every other pianola output.
#include "audio/WavFile.h"

#include <algorithm>
#include <cstring>
#include <string>

#include <sndfile.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"

namespace pianola::audio {

namespace {

struct MemoryFile {
    std::vector<std::uint8_t> bytes;
    sf_count_t position = 0;
};

MemoryFile& memory(void* user) { return *static_cast<MemoryFile*>(user); }

sf_count_t get_length(void* user) { return static_cast<sf_count_t>(memory(user).bytes.size()); }

sf_count_t seek(sf_count_t offset, int whence, void* user) {
    MemoryFile& m = memory(user);
    const sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m.position : get_length(user);
    m.position = std::max<sf_count_t>(0, base + offset);
    return m.position;
}

sf_count_t read(void* ptr, sf_count_t count, void* user) {
    MemoryFile& m = memory(user);
    const sf_count_t n = std::clamp<sf_count_t>(get_length(user) - m.position, 0, count);
    std::memcpy(ptr, m.bytes.data() + m.position, static_cast<std::size_t>(n));
    m.position += n;
    return n;
}

sf_count_t write(const void* ptr, sf_count_t count, void* user) {
    MemoryFile& m = memory(user);
    const auto end = static_cast<std::size_t>(m.position + count);
    if (m.bytes.size() < end) m.bytes.resize(end);
    std::memcpy(m.bytes.data() + m.position, ptr, static_cast<std::size_t>(count));
    m.position += count;
    return count;
}

sf_count_t tell(void* user) { return memory(user).position; }

}  // namespace

std::vector<std::uint8_t> encode_wav(const Audio& audio, const std::string& name) {
    SF_VIRTUAL_IO io{get_length, seek, read, write, tell};
    SF_INFO info{};
    info.samplerate = audio.sample_rate;
    info.channels = Audio::channels;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    MemoryFile file;
    file.bytes.reserve(audio.samples.size() * sizeof(std::int16_t) + 64);
    SNDFILE* wav = sf_open_virtual(&io, SFM_WRITE, &info, &file);
    if (!wav) throw FileError(name, std::string("cannot encode WAV: ") + sf_strerror(nullptr));
    const auto frames = static_cast<sf_count_t>(audio.frames());
    const bool written = sf_writef_float(wav, audio.samples.data(), frames) == frames;
    const std::string error = sf_strerror(wav);
    if (sf_close(wav) != 0 || !written) throw FileError(name, "cannot encode WAV: " + error);
    return std::move(file.bytes);
}

void write_wav(const std::filesystem::path& path, const Audio& audio) {
    write_file_atomically(path, encode_wav(audio, path.string()));
}

}  // namespace pianola::audio
