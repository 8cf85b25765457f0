#include "io/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/FileError.h"

namespace pianola {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw FileError(path.string(), "is a directory, not a file");
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw FileError(path.string(), std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            throw FileError(path.string(), std::strerror(err));
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), chunk, chunk + n);
    }
    ::close(fd);
    return bytes;
}

AtomicFileWriter::AtomicFileWriter(const std::filesystem::path& path) : path_(path) {
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    // Appended piece by piece: gcc 12 warns falsely (-Wrestrict) on "." + string + "...".
    std::string name = ".";
    name += path.filename().string();
    name += ".XXXXXX";
    temp_ = (dir / name).string();
    fd_ = ::mkstemp(temp_.data());
    if (fd_ < 0) throw FileError(path_.string(), std::string("cannot write: ") + std::strerror(errno));
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(temp_.c_str());
}

void AtomicFileWriter::fail(int err) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
    throw FileError(path_.string(), std::string("cannot write: ") + std::strerror(err));
}

void AtomicFileWriter::write(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(errno);
        done += static_cast<std::size_t>(n);
    }
}

void AtomicFileWriter::commit() {
    // mkstemp creates 0600; outputs are ordinary user files.
    if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0) fail(errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 || ::rename(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp_.c_str());
        throw FileError(path_.string(), std::string("cannot write: ") + std::strerror(err));
    }
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
    AtomicFileWriter file(path);
    file.write(bytes);
    file.commit();
}

void check_writable(const std::filesystem::path& path) {
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw FileError(path.string(), "is a folder, not a file path");
    if (!std::filesystem::is_directory(dir, ec)) throw FileError(path.string(), "cannot write: no such folder " + dir.string());
    if (::access(dir.c_str(), W_OK) != 0) throw FileError(path.string(), std::string("cannot write: ") + std::strerror(errno));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    write_file_atomically(path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

}  // namespace pianola
