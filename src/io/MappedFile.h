// MappedFile: a file's bytes mapped read-only into memory, for data read in place (the token
// cache) rather than copied in. Pages load as they are touched, and the kernel may drop them
// again, so a large file costs address space, not resident memory. It is not for files another
// process may shorten while mapped (reading past their new end would fault): pianola replaces
// such files by renaming, which leaves the mapped one whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace pianola {

class MappedFile {
public:
    MappedFile() = default;
    // Throws FileError naming the path when it cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

private:
    const std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace pianola
