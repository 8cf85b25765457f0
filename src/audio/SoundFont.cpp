#include "audio/SoundFont.h"

#include <array>
#include <fstream>
#include <string_view>

#include "io/FileError.h"

namespace pianola::audio {

namespace {

const std::array<std::filesystem::path, 2> standard_paths = {"/usr/share/sounds/sf2/FluidR3_GM.sf2",
                                                             "/usr/share/sounds/sf2/default-GM.sf2"};

const std::filesystem::path& checked(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<char, 12> head{};
    in.read(head.data(), head.size());
    const std::string_view text(head.data(), head.size());
    if (!in || text.substr(0, 4) != "RIFF" || text.substr(8, 4) != "sfbk")
        throw FileError(path.string(), "not a SoundFont (a SoundFont 2 file starts with RIFF....sfbk)");
    return path;
}

}  // namespace

std::filesystem::path find_soundfont(const std::optional<std::filesystem::path>& given) {
    std::error_code ec;
    if (given) {
        if (std::filesystem::is_directory(*given, ec)) throw FileError(given->string(), "is a folder, not a SoundFont");
        if (!std::filesystem::exists(*given, ec)) throw FileError(given->string(), "no such SoundFont file");
        return checked(*given);
    }
    for (const auto& path : standard_paths)
        if (std::filesystem::is_regular_file(path, ec)) return checked(path);
    throw FileError(standard_paths.front().string(),
                    "no General MIDI SoundFont installed: install Debian's fluid-soundfont-gm (scripts/setup.sh) "
                    "or give --soundfont");
}

}  // namespace pianola::audio
