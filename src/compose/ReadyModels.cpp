#include "compose/ReadyModels.h"

#include <algorithm>
#include <stdexcept>

#include "compose/DecodingCalibration.h"
#include "model/SeedModel.h"

namespace pianola::compose {

ReadyModel::ReadyModel(const std::filesystem::path& path) : model(model::load_model(path)) {
    if (std::holds_alternative<model::SeedModel>(model.net)) return;
    copies_.emplace(model.info);
    default_copy_limit_ = compose::default_copy_limit(copies_->held_out_runs());
}

const std::vector<eval::MusicStats>& ReadyModel::held_out_stats() {
    if (!held_out_stats_) held_out_stats_ = compose::held_out_stats(model.info);
    return *held_out_stats_;
}

ReadyModel& ReadyModels::get(const std::filesystem::path& path) {
    if (capacity_ == 0) throw std::invalid_argument("a model shelf needs room for one model");
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    const std::filesystem::file_time_type time = std::filesystem::last_write_time(path, error);
    const auto kept = std::find_if(shelf_.begin(), shelf_.end(), [&](const Kept& k) { return k.path == path; });
    if (kept != shelf_.end() && !error && kept->size == size && kept->time == time) {
        kept->last_used = ++uses_;
        return *kept->ready;
    }
    auto ready = std::make_unique<ReadyModel>(path);  // throws before the shelf changes
    ++loads_;
    if (kept != shelf_.end()) shelf_.erase(kept);
    if (shelf_.size() >= capacity_)
        shelf_.erase(std::min_element(shelf_.begin(), shelf_.end(),
                                      [](const Kept& a, const Kept& b) { return a.last_used < b.last_used; }));
    shelf_.push_back({path, size, time, std::move(ready), ++uses_});
    return *shelf_.back().ready;
}

}  // namespace pianola::compose
