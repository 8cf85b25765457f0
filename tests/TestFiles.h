// Fixtures shared by the tests: a fresh temporary folder per test, and small MIDI files written
// in code (no binary fixtures in the repository).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

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

// Writes a one-track piano melody: each pitch a quarter note, one after another.
void write_melody(const std::filesystem::path& path, const std::vector<std::uint8_t>& pitches);

// The shared corpora beside the checkout (../shared/corpora), or an empty path when absent.
std::filesystem::path shared_corpora();

}  // namespace pianola::fixtures
