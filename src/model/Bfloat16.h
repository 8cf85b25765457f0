// Bfloat16: one value at a time between float32 and bfloat16 held as its bits (the top half of a
// float32), for the plain loops that read and write bfloat16 tensors (model/CachedAttention,
// model/RelativeSoftmax). Written so that GCC vectorizes a loop of them; float overloads let one
// template serve both types. Not a number type: arithmetic stays in float32.
#pragma once

#include <bit>
#include <cstdint>

namespace pianola::model {

inline float widen(float v) { return v; }
inline float widen(std::uint16_t v) { return std::bit_cast<float>(static_cast<std::uint32_t>(v) << 16); }
inline void narrow(float from, float& to) { to = from; }
inline void narrow(float from, std::uint16_t& to) {  // round to nearest, ties to even
    const std::uint32_t u = std::bit_cast<std::uint32_t>(from);
    to = static_cast<std::uint16_t>((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

}  // namespace pianola::model
