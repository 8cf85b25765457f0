// Gzip: inflates gzip-compressed bytes held in memory (MIDI collections often ship as *.mid.gz).
// The output is capped, so a small hostile file cannot inflate until memory runs out.
// It does not compress, and it reads no zlib-wrapped or raw deflate streams, only gzip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pianola {

inline constexpr std::size_t gunzip_max_output = std::size_t{64} << 20;  // 64 MiB

// True when the bytes begin with the gzip magic number 0x1f 0x8b.
bool has_gzip_magic(std::span<const std::uint8_t> bytes);

// Inflates every gzip member in `bytes` (as the gzip tool does for concatenated files); bytes
// after the last member that do not start another one are ignored. Throws FileError naming
// `name`, with the compressed byte offset, on corrupt or truncated data, or when the output
// would pass gunzip_max_output.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> bytes, const std::string& name);

}  // namespace pianola
