// Gzip: zlib's inflate driven over a growing vector, with the output cap checked before every
// growth so that memory use stays bounded by gunzip_max_output whatever the input claims.
#include "io/Gzip.h"

#include <algorithm>
#include <climits>
#include <zlib.h>

#include "io/FileError.h"

namespace pianola {

namespace {

// Owns an inflate stream so every exit path, thrown or not, releases zlib's state.
class InflateStream {
public:
    explicit InflateStream(const std::string& name) {
        // 16 + MAX_WBITS: accept the gzip wrapper (and only it), with the largest window.
        if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) throw FileError(name, "cannot start gzip decompression");
    }
    ~InflateStream() { inflateEnd(&stream_); }
    InflateStream(const InflateStream&) = delete;
    InflateStream& operator=(const InflateStream&) = delete;

    z_stream* get() { return &stream_; }

private:
    z_stream stream_{};
};

}  // namespace

bool has_gzip_magic(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> bytes, const std::string& name) {
    InflateStream inflater(name);
    z_stream* z = inflater.get();

    // One byte beyond the cap lets output of exactly the cap's size finish, and anything larger fail.
    const std::size_t capacity_limit = gunzip_max_output + 1;
    std::vector<std::uint8_t> out;
    // MIDI compresses about 3:1; guessing a little above that saves most regrowths.
    out.resize(std::min(capacity_limit, bytes.size() * 4 + 4096));
    std::size_t in_used = 0, out_used = 0;

    for (;;) {
        if (out_used == out.size()) out.resize(std::min(capacity_limit, out.size() * 2));
        // zlib counts in 32-bit unsigned ints; feed larger spans piecewise.
        const std::size_t in_chunk = std::min<std::size_t>(bytes.size() - in_used, UINT_MAX);
        const std::size_t out_chunk = std::min<std::size_t>(out.size() - out_used, UINT_MAX);
        z->next_in = const_cast<Bytef*>(bytes.data() + in_used);
        z->avail_in = static_cast<uInt>(in_chunk);
        z->next_out = out.data() + out_used;
        z->avail_out = static_cast<uInt>(out_chunk);

        const int result = inflate(z, Z_NO_FLUSH);
        const std::size_t consumed = in_chunk - z->avail_in, produced = out_chunk - z->avail_out;
        in_used += consumed;
        out_used += produced;

        if (out_used > gunzip_max_output)
            throw FileError(name, "gzip data inflates to more than " + std::to_string(gunzip_max_output >> 20) + " MiB", in_used);
        if (result == Z_STREAM_END) {
            // Another member may follow, as in `cat a.gz b.gz`; anything else is trailing padding.
            if (!has_gzip_magic(bytes.subspan(in_used))) break;
            if (inflateReset(z) != Z_OK) throw FileError(name, "cannot restart gzip decompression", in_used);
            continue;
        }
        if (result == Z_DATA_ERROR || result == Z_NEED_DICT)
            throw FileError(name, std::string("corrupt gzip data: ") + (z->msg ? z->msg : "invalid stream"), in_used);
        if (result == Z_MEM_ERROR) throw FileError(name, "out of memory while decompressing gzip data", in_used);
        // There was room for output, so no progress means the input ended before the stream did.
        if (consumed == 0 && produced == 0) {
            if (in_used == bytes.size()) throw FileError(name, "truncated gzip data", in_used);
            throw FileError(name, "corrupt gzip data: decompression made no progress", in_used);
        }
    }
    out.resize(out_used);
    return out;
}

}  // namespace pianola
