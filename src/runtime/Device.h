// Device: which device a training runs on, from what the user asked (`train --device`): "cpu",
// "cuda" (or "cuda:N"), or "auto", the first GPU where libtorch has CUDA and sees one, else the CPU.
// It moves nothing itself; it only says whether a choice can be had, in one line when it cannot.
// Debian's libtorch is built without CUDA: there "auto" is the CPU and "cuda" is refused.
#pragma once

#include <string>

#include <torch/torch.h>

namespace pianola {

// "cuda" and "auto" without an index take GPU `local_rank` (modulo the GPUs seen): each of a
// machine's data-parallel workers its own. Throws std::invalid_argument naming what is missing: an
// unknown name, a libtorch without CUDA, no GPU visible, or a GPU index past the last.
torch::Device training_device(const std::string& name, int local_rank = 0);

}  // namespace pianola
