#include "runtime/Device.h"

#include <stdexcept>

namespace pianola {

torch::Device training_device(const std::string& name, int local_rank) {
    if (name == "cpu") return torch::kCPU;
    const auto count = static_cast<std::int64_t>(torch::cuda::device_count());
    const auto own = [&] { return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(local_rank % count)); };
    const auto not_a_device = [&] { return std::invalid_argument("--device " + name + ": not a device (cpu, cuda, cuda:N or auto)"); };
    if (name == "auto") return torch::cuda::is_available() ? own() : torch::Device(torch::kCPU);
    if (name != "cuda" && !name.starts_with("cuda:")) throw not_a_device();
    if (!at::hasCUDA())
        throw std::invalid_argument("--device " + name + ": this pianola's libtorch was built without CUDA (as Debian's is); "
                                    "build it against a libtorch with CUDA, or train on the CPU");
    if (count == 0) throw std::invalid_argument("--device " + name + ": libtorch has CUDA but sees no GPU");
    if (name == "cuda") return own();
    torch::Device device(torch::kCUDA, 0);
    try {
        device = torch::Device(name);
    } catch (const c10::Error&) {
        throw not_a_device();
    }
    const std::int64_t index = device.index();
    if (index >= count)
        throw std::invalid_argument("--device " + name + ": there are " + std::to_string(count) + " GPUs, from cuda:0");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace pianola
