// DiskQuota: how much the studio may keep on disk (its models, trainings, uploads and pieces
// together), checked before it takes more, so a studio left open on a shared machine cannot fill
// the disk. It counts file sizes, not blocks, and does not reserve: two uploads checked at once
// may both pass. The folders are measured at most once a second: under load every request checks,
// and walking a few thousand files for each would be most of the server's work.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

namespace pianola::web {

// The bytes of the regular files under `folder`, recursively; 0 for a missing folder.
std::uintmax_t bytes_under(const std::filesystem::path& folder);

class DiskQuota {
public:
    DiskQuota(std::vector<std::filesystem::path> folders, std::uintmax_t quota);

    // Throws RequestError (507) when what the folders hold and `adding` more would pass the quota.
    void check(std::uintmax_t adding) const;

private:
    using Clock = std::chrono::steady_clock;
    std::vector<std::filesystem::path> folders_;
    std::uintmax_t quota_;
    mutable std::mutex mutex_;
    mutable std::uintmax_t used_ = 0;
    mutable Clock::time_point measured_{};
};

}  // namespace pianola::web
