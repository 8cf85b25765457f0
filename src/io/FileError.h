// FileError: the one exception type the library throws for bad input or failed I/O.
// It carries the file and, for binary formats, the byte offset, so the CLI can print one line
// that points at the problem. It is not for programming errors (those stay std::logic_error).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace pianola {

class FileError : public std::runtime_error {
public:
    FileError(std::string file, std::string message, std::optional<std::uint64_t> offset = std::nullopt);

    const std::string& file() const { return file_; }
    std::optional<std::uint64_t> offset() const { return offset_; }
    const std::string& reason() const { return reason_; }

private:
    std::string file_;
    std::string reason_;
    std::optional<std::uint64_t> offset_;
};

}  // namespace pianola
