// Whole-file reading and atomic writing. Every output pianola produces (models, MIDI, audio)
// goes through write_file_atomically, so a killed or failing run never leaves a partial file:
// bytes go to a temporary file beside the target, are flushed, then renamed over it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace pianola {

// Throws FileError naming the path when the file cannot be opened or read.
std::vector<std::uint8_t> read_file(const std::filesystem::path& path);

// Throws FileError naming the path when the target directory is missing or not writable;
// the target is then untouched and no temporary file is left behind.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

// Fails early, before hours of work, if `path` could not be written later: throws FileError
// when its folder is missing or not writable, or when the path is a folder.
void check_writable(const std::filesystem::path& path);

}  // namespace pianola
