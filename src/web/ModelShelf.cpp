#include "web/ModelShelf.h"

#include <algorithm>

#include "io/FileError.h"
#include "web/RequestError.h"

namespace pianola::web {

ModelShelf::ModelShelf(const std::filesystem::path& folder) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) throw FileError(folder.string(), "no such folder of models");
    folder_ = std::filesystem::canonical(folder);
}

std::vector<std::string> ModelShelf::names() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder_, ec))
        if (entry.path().extension() == ".pianola" && entry.is_regular_file(ec))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::filesystem::path ModelShelf::path_of(const std::string& name) const {
    const std::vector<std::string> listed = names();
    if (std::find(listed.begin(), listed.end(), name) == listed.end())
        throw RequestError(400, "unknown model '" + name + "': pick one of the models listed");
    return folder_ / name;
}

}  // namespace pianola::web
