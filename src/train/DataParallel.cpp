#include "train/DataParallel.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <c10/util/Logging.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "runtime/Stopwatch.h"

namespace pianola::train {

namespace {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

int parse_int(const std::string& text, const char* name) {
    std::size_t used = 0;
    int value = 0;
    try {
        value = std::stoi(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size()) throw std::invalid_argument(std::string(name) + " is not a whole number: \"" + text + "\"");
    return value;
}

}  // namespace

std::string first_slurm_host(const std::string& nodelist) {
    const std::size_t comma = nodelist.find(','), bracket = nodelist.find('[');
    if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket))
        return nodelist.substr(0, comma);
    // "prefix[03-05,9]": the prefix and the first number of the range, its zero padding kept.
    const std::size_t end = nodelist.find_first_of("-,]", bracket + 1);
    return nodelist.substr(0, bracket) + nodelist.substr(bracket + 1, end - bracket - 1);
}

std::optional<WorldSpec> world_from_environment() {
    WorldSpec world;
    if (const auto size = env("WORLD_SIZE")) {
        world.size = parse_int(*size, "WORLD_SIZE");
        world.rank = parse_int(env("RANK").value_or("0"), "RANK");
        world.local_rank = parse_int(env("LOCAL_RANK").value_or("0"), "LOCAL_RANK");
        world.master_addr = env("MASTER_ADDR").value_or("127.0.0.1");
    } else if (const auto tasks = env("SLURM_NTASKS")) {
        world.size = parse_int(*tasks, "SLURM_NTASKS");
        world.rank = parse_int(env("SLURM_PROCID").value_or("0"), "SLURM_PROCID");
        world.local_rank = parse_int(env("SLURM_LOCALID").value_or("0"), "SLURM_LOCALID");
        world.master_addr = env("MASTER_ADDR").value_or(first_slurm_host(env("SLURM_JOB_NODELIST").value_or("127.0.0.1")));
    } else {
        return std::nullopt;
    }
    world.master_port = parse_int(env("MASTER_PORT").value_or("29500"), "MASTER_PORT");
    if (world.size < 1 || world.rank < 0 || world.rank >= world.size)
        throw std::invalid_argument("rank " + std::to_string(world.rank) + " is not in a world of " +
                                    std::to_string(world.size) + " processes");
    if (world.master_port < 1 || world.master_port > 65535)
        throw std::invalid_argument("MASTER_PORT " + std::to_string(world.master_port) + " is not a port");
    if (world.size == 1) return std::nullopt;
    return world;
}

struct DataParallel::Group {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
    std::vector<c10::intrusive_ptr<c10d::Work>> sums;  // started, not yet waited for
    std::int64_t sum_bytes = 0;
};

DataParallel::DataParallel(const WorldSpec& world, std::chrono::milliseconds timeout, std::int64_t bucket_bytes)
    : world_(world), bucket_bytes_(bucket_bytes), group_(std::make_unique<Group>()) {
    const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
    // c10d also logs what it throws to stderr (glog lines); the exception makes the one line we print.
    FLAGS_caffe2_log_level = 3;
    c10::UpdateLoggingLevelsFromFlags();
    try {
        c10d::TCPStoreOptions store;
        store.port = static_cast<std::uint16_t>(world.master_port);
        store.isServer = world.rank == 0;
        store.numWorkers = world.size;
        store.waitWorkers = false;
        store.timeout = timeout;
        group_->store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, store);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        // Gloo's own choice of interface, as torch.distributed makes it, unless told (GLOO_SOCKET_IFNAME)
        // or all on this machine, where loopback is the one that surely works.
        if (const auto interface = env("GLOO_SOCKET_IFNAME"))
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*interface));
        else if (world.master_addr == "127.0.0.1" || world.master_addr == "localhost")
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, world.rank, world.size, options);
    } catch (const std::exception& e) {
        throw std::runtime_error("rank " + std::to_string(world.rank) + " could not join the training group at " + where +
                                 " within " + std::to_string(timeout.count() / 1000) + " s: " + e.what());
    }
}

DataParallel::~DataParallel() = default;

void DataParallel::fail(const std::exception& e) const {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));  // c10::Error appends a C++ stack
    throw std::runtime_error("rank " + std::to_string(world_.rank) +
                             ": lost the other training processes (one stopped or cannot be reached): " + what);
}

void DataParallel::collective(const std::function<void()>& run) {
    const auto start = Clock::now();
    try {
        run();
    } catch (const std::exception& e) {
        fail(e);
    }
    collective_seconds_ += seconds_since(start);
}

void DataParallel::all_reduce(torch::Tensor& flat) {
    std::vector<torch::Tensor> tensors{flat};
    collective([&] { group_->gloo->allreduce(tensors)->wait(); });
}

void DataParallel::start_sum(const torch::Tensor& flat) {
    std::vector<torch::Tensor> tensors{flat};
    collective([&] { group_->sums.push_back(group_->gloo->allreduce(tensors)); });
    group_->sum_bytes += static_cast<std::int64_t>(flat.nbytes());
}

void DataParallel::wait_for_sums() {
    const double before = collective_seconds_;
    collective([&] {
        for (const auto& work : group_->sums) work->wait();
    });
    sum_wait_seconds_ += collective_seconds_ - before;
    group_->sums.clear();
    gradient_bytes_ = std::exchange(group_->sum_bytes, 0);
}

std::pair<double, bool> DataParallel::mean_loss_and_any_stop(double loss, bool stop) {
    torch::Tensor both = torch::tensor({loss, stop ? 1.0 : 0.0}, torch::kFloat64);
    all_reduce(both);
    return {both[0].item<double>() / world_.size, both[1].item<double>() > 0};
}

double DataParallel::from_rank0(double value) {
    torch::Tensor one = torch::tensor({value}, torch::kFloat64);
    std::vector<torch::Tensor> tensors{one};
    collective([&] { group_->gloo->broadcast(tensors)->wait(); });
    return one.item<double>();
}

}  // namespace pianola::train
