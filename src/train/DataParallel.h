// DataParallel: the processes one training run is split over, talking through c10d (PyTorch's
// distributed engine) with the Gloo backend, as torch.distributed does. Every process holds the
// same model and reads its own rows of each step's batch; the gradients are summed over the
// processes by all-reduce (train/GradientReducer starts each bucket of them as the backward pass
// produces it), so every process takes the same optimizer step. Rank 0 validates and writes; the
// others follow the numbers it sends.
// It is not a launcher (app/ starts local workers; torchrun or Slurm start others) and knows
// nothing of the model: it sums flat tensors.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace pianola::train {

struct WorldSpec {
    int rank = 0;
    int size = 1;
    int local_rank = 0;  // among the processes on this machine: which GPU is this process'
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
};

// The world the environment describes: torchrun's RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT, else Slurm's SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID with the first host of
// SLURM_JOB_NODELIST (and MASTER_PORT, default 29500); nullopt when neither names more than one process. Throws
// std::invalid_argument for values that do not make a world (a rank outside it, a bad port).
std::optional<WorldSpec> world_from_environment();

// The first host of a Slurm node list: "node[03-05,9],gpu1" -> "node03".
std::string first_slurm_host(const std::string& nodelist);

class DataParallel {
public:
    // DDP's first bucket (1 MB): small enough that the top layers' gradients start while the layers
    // below are still in the backward pass. On one 2-core machine 1 and 25 MB measure alike (README.md).
    static constexpr std::int64_t default_bucket_bytes = 1 << 20;

    // Joins the group: rank 0 serves the rendezvous at master_addr:master_port, the others connect
    // to it. Throws std::runtime_error naming the address when the group does not form within
    // `timeout`, which also bounds every later collective: a worker that dies ends the others
    // within it, each with an error naming its rank. `bucket_bytes`: the size of the buckets
    // gradients are sent in (train/GradientReducer), as DDP's bucket_cap_mb.
    DataParallel(const WorldSpec& world, std::chrono::milliseconds timeout,
                 std::int64_t bucket_bytes = default_bucket_bytes);
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return world_.rank; }
    int size() const { return world_.size; }
    int local_rank() const { return world_.local_rank; }
    std::int64_t bucket_bytes() const { return bucket_bytes_; }

    // Starts summing `flat` (contiguous) over the processes in place, on Gloo's threads; every
    // process must start its sums in the same order. wait_for_sums() waits for all started.
    void start_sum(const torch::Tensor& flat);
    void wait_for_sums();
    // The mean of `loss` over the processes, and whether `stop` is true on any: one all-reduce, so
    // that a budget reached on one process stops all of them at the same step.
    std::pair<double, bool> mean_loss_and_any_stop(double loss, bool stop);
    // Rank 0's `value` on every process.
    double from_rank0(double value);

    // What the collectives cost this process so far: seconds spent waiting for them (for the
    // slowest process included; a sum that ran while this process computed costs nothing), and
    // the bytes the last wait_for_sums() waited for (a step's gradients).
    double collective_seconds() const { return collective_seconds_; }
    double sum_wait_seconds() const { return sum_wait_seconds_; }  // of them, in wait_for_sums()
    std::int64_t gradient_bytes() const { return gradient_bytes_; }

private:
    // Runs one collective, timed; a failure becomes the one-line error naming this rank.
    void collective(const std::function<void()>& run);
    void all_reduce(torch::Tensor& flat);
    [[noreturn]] void fail(const std::exception& e) const;
    WorldSpec world_;
    std::int64_t bucket_bytes_;
    double collective_seconds_ = 0;
    double sum_wait_seconds_ = 0;
    std::int64_t gradient_bytes_ = 0;
    struct Group;
    std::unique_ptr<Group> group_;
};

}  // namespace pianola::train
