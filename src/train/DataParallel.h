// DataParallel: the processes one training run is split over, talking through c10d (PyTorch's
// distributed engine) with the Gloo backend, as torch.distributed does. Every process holds the
// same model and reads its own rows of each step's batch; after the backward pass the gradients
// are averaged by all-reduce (flattened into buckets of about 25 MB), so every process takes the
// same optimizer step. Rank 0 validates and writes; the others follow the numbers it sends.
// It is not a launcher (app/ starts local workers; torchrun or Slurm start others) and knows
// nothing of the model but its parameters. The all-reduce runs after the backward pass, not
// overlapped with it: libtorch's C++ API has no DDP reducer, and starting each bucket from
// per-parameter gradient hooks is not written yet.
#pragma once

#include <chrono>
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
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
};

// The world the environment describes: torchrun's RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT,
// else Slurm's SLURM_PROCID and SLURM_NTASKS with the first host of SLURM_JOB_NODELIST (and
// MASTER_PORT, default 29500); nullopt when neither names more than one process. Throws
// std::invalid_argument for values that do not make a world (a rank outside it, a bad port).
std::optional<WorldSpec> world_from_environment();

// The first host of a Slurm node list: "node[03-05,9],gpu1" -> "node03".
std::string first_slurm_host(const std::string& nodelist);

class DataParallel {
public:
    // Joins the group: rank 0 serves the rendezvous at master_addr:master_port, the others connect
    // to it. Throws std::runtime_error naming the address when the group does not form within
    // `timeout`, which also bounds every later collective: a worker that dies ends the others
    // within it, each with an error naming its rank.
    DataParallel(const WorldSpec& world, std::chrono::milliseconds timeout);
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return world_.rank; }
    int size() const { return world_.size; }

    // Replaces each parameter's gradient with its mean over the processes.
    void average_gradients(const std::vector<torch::Tensor>& parameters);
    // The mean of `loss` over the processes, and whether `stop` is true on any: one all-reduce, so
    // that a budget reached on one process stops all of them at the same step.
    std::pair<double, bool> mean_loss_and_any_stop(double loss, bool stop);
    // Rank 0's `value` on every process.
    double from_rank0(double value);

    // What the collectives cost this process so far: seconds spent in them (waiting for the
    // slowest process included), and the gradient bytes one step sends.
    double collective_seconds() const { return collective_seconds_; }
    std::int64_t gradient_bytes() const { return gradient_bytes_; }

private:
    // Runs one collective, timed; a failure becomes the one-line error naming this rank.
    void collective(const std::function<void()>& run);
    void all_reduce(torch::Tensor& flat);
    [[noreturn]] void fail(const std::exception& e) const;
    WorldSpec world_;
    double collective_seconds_ = 0;
    std::int64_t gradient_bytes_ = 0;
    struct Group;
    std::unique_ptr<Group> group_;
};

}  // namespace pianola::train
