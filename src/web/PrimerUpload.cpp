#include "web/PrimerUpload.h"

#include <cstdint>
#include <span>

#include <fmt/core.h>

#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "web/RequestError.h"

namespace pianola::web {

void check_primer(std::string_view bytes, std::size_t max_bytes) {
    if (bytes.size() > max_bytes)
        throw RequestError(413, fmt::format("the primer is {:.1f} KiB; at most {:.0f} KiB is taken",
                                            static_cast<double>(bytes.size()) / 1024.0,
                                            static_cast<double>(max_bytes) / 1024.0));
    try {
        midi::read_midi({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, "the uploaded primer");
    } catch (const FileError& e) {
        throw RequestError(400, e.what());
    }
}

}  // namespace pianola::web
