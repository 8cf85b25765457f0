#include "web/DiskQuota.h"

#include <fmt/core.h>

#include "web/RequestError.h"

namespace pianola::web {

std::uintmax_t bytes_under(const std::filesystem::path& folder) {
    std::uintmax_t bytes = 0;
    std::error_code error;
    // Files come and go while the studio works: one gone between listing and sizing counts nothing.
    for (auto it = std::filesystem::recursive_directory_iterator(folder, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        std::error_code size_error;
        if (it->is_regular_file(size_error)) {
            const std::uintmax_t size = it->file_size(size_error);
            if (!size_error) bytes += size;
        }
    }
    return bytes;
}

DiskQuota::DiskQuota(std::vector<std::filesystem::path> folders, std::uintmax_t quota)
    : folders_(std::move(folders)), quota_(quota) {}

void DiskQuota::check(std::uintmax_t adding) const {
    std::uintmax_t used = 0;
    {
        const std::lock_guard lock(mutex_);
        const Clock::time_point now = Clock::now();
        if (measured_ == Clock::time_point{} || now - measured_ >= std::chrono::seconds(1)) {
            used_ = 0;
            for (const std::filesystem::path& folder : folders_) used_ += bytes_under(folder);
            measured_ = now;
        }
        used = used_;
    }
    if (used + adding <= quota_) return;
    constexpr double mebibyte = 1024.0 * 1024.0;
    throw RequestError(507, fmt::format("the studio's disk quota of {:.0f} MiB is full ({:.0f} MiB used by its models, "
                                        "trainings and pieces{}): delete trainings or pieces, or models from its folder",
                                        static_cast<double>(quota_) / mebibyte, static_cast<double>(used) / mebibyte,
                                        adding ? fmt::format(", {:.1f} MiB more asked", static_cast<double>(adding) / mebibyte)
                                               : ""));
}

}  // namespace pianola::web
