// Fixtures shared by the tests: a fresh temporary folder per test, small MIDI files written in
// code (no binary fixtures in the repository), and a wait for what another thread does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "midi/MidiFile.h"

namespace pianola::fixtures {

// A new empty folder under the system temp dir, removed when the object goes away.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Appends a tempo event (3 bytes, microseconds a quarter, as written: 0 too) to `track` at `tick`.
void add_tempo(midi::Track& track, std::uint32_t tick, std::uint32_t us_per_quarter);

// Writes a one-track piano melody: each pitch a quarter note, one after another.
void write_melody(const std::filesystem::path& path, const std::vector<std::uint8_t>& pitches);

// Polls `ready` every few milliseconds until it holds (true) or 20 s have passed (false): for what
// another thread or process does.
bool eventually(const std::function<bool()>& ready);

// The shared corpora beside the checkout (../shared/corpora), or an empty path when absent.
std::filesystem::path shared_corpora();

}  // namespace pianola::fixtures
