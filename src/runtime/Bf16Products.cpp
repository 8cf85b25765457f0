#include "runtime/Bf16Products.h"

#include <ATen/autocast_mode.h>

namespace pianola {

bool cpu_has_bf16() {
    static const bool has = __builtin_cpu_supports("avx512bf16");
    return has;
}

Bf16Products::Bf16Products(bool wanted) : active_(wanted && cpu_has_bf16()) {
    if (!active_) return;
    was_enabled_ = at::autocast::is_cpu_enabled();
    at::autocast::set_cpu_enabled(true);
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::increment_nesting();
}

Bf16Products::~Bf16Products() {
    if (!active_) return;
    // The bfloat16 copies of the weights are cached while autocast is on; they must not outlive a
    // step of the optimizer, which changes the weights.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_cpu_enabled(was_enabled_);
}

}  // namespace pianola
