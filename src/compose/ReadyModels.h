// ReadyModels: trained models kept loaded for a process that composes again and again (the web
// studio), each with what composing needs besides the network: the originality guard's index of
// its training pieces, the copy limit measured from its held-out pieces, and their statistics for
// the loop check. A job then pays for none of them. A model file changed on disk (trained again
// in place) is loaded again; the least recently used model goes when the shelf is full.
// It is not thread-safe: one thread composes (web::ComposeJobs' worker), and a ReadyModel's
// network keeps no state between compositions that another composition could see.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "compose/CopyGuard.h"
#include "eval/MusicStats.h"
#include "model/ModelFile.h"

namespace pianola::compose {

// One model loaded, with its guard index built (next-token models; seed-design models have none).
// It stays where it was made: the index points into the model's info.
class ReadyModel {
public:
    explicit ReadyModel(const std::filesystem::path& path);
    ReadyModel(const ReadyModel&) = delete;
    ReadyModel& operator=(const ReadyModel&) = delete;

    model::LoadedModel model;
    const TrainingCopies* copies() const { return copies_ ? &*copies_ : nullptr; }
    // The median held-out piece's longest run shared with the training pieces (default_copy_limit).
    std::size_t default_copy_limit() const { return default_copy_limit_; }
    // The held-out pieces' statistics, computed on first use.
    const std::vector<eval::MusicStats>& held_out_stats();

private:
    std::optional<TrainingCopies> copies_;
    std::size_t default_copy_limit_ = 0;
    std::optional<std::vector<eval::MusicStats>> held_out_stats_;
};

class ReadyModels {
public:
    explicit ReadyModels(std::size_t capacity) : capacity_(capacity) {}

    // The model at `path`, as kept when the file's size and time are those it was loaded with,
    // else loaded now. Throws what model::load_model throws; the shelf is then unchanged.
    ReadyModel& get(const std::filesystem::path& path);
    std::size_t size() const { return shelf_.size(); }   // models kept
    std::size_t loads() const { return loads_; }          // models loaded so far

private:
    struct Kept {
        std::filesystem::path path;
        std::uintmax_t size = 0;
        std::filesystem::file_time_type time;
        std::unique_ptr<ReadyModel> ready;
        std::uint64_t last_used = 0;
    };
    std::size_t capacity_;
    std::vector<Kept> shelf_;
    std::uint64_t uses_ = 0;
    std::size_t loads_ = 0;
};

}  // namespace pianola::compose
