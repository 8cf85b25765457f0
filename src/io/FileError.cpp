#include "io/FileError.h"

namespace pianola {

static std::string describe(const std::string& file, const std::string& message,
                            std::optional<std::uint64_t> offset) {
    std::string text = file;
    if (offset) text += " (byte " + std::to_string(*offset) + ")";
    return text + ": " + message;
}

FileError::FileError(std::string file, std::string message, std::optional<std::uint64_t> offset)
    : std::runtime_error(describe(file, message, offset)),
      file_(std::move(file)),
      reason_(std::move(message)),
      offset_(offset) {}

}  // namespace pianola
