// Whole-file reading and atomic writing. Every output pianola produces (models, MIDI, audio)
// goes through write_file_atomically, so a killed or failing run never leaves a partial file:
// bytes go to a temporary file beside the target, are flushed, then renamed over it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pianola {

// Throws FileError naming the path when the file cannot be opened or read.
std::vector<std::uint8_t> read_file(const std::filesystem::path& path);

// A file written in pieces that appears whole or not at all: bytes go to a temporary file beside
// the target, and commit() flushes it and renames it over the target. Destroyed uncommitted (an
// exception on the way), it removes the temporary file and leaves the target untouched. Every
// method throws FileError naming the target when the folder is missing or not writable or a
// write fails.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(const std::filesystem::path& path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(std::span<const std::uint8_t> bytes);
    void commit();

private:
    [[noreturn]] void fail(int err);
    std::filesystem::path path_;
    std::string temp_;
    int fd_ = -1;
};

// The whole file at once, through AtomicFileWriter.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// Fails early, before hours of work, if `path` could not be written later: throws FileError
// when its folder is missing or not writable, or when the path is a folder.
void check_writable(const std::filesystem::path& path);

}  // namespace pianola
