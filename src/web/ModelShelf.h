// ModelShelf: the models the studio offers, the `*.pianola` files directly in one folder, listed
// afresh on every call so a model trained while the server runs shows up. A name from a request is
// looked up in that listing, never joined to the folder as it is, so no request can name a file
// elsewhere. It does not load or check the models; composing does that.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace pianola::web {

class ModelShelf {
public:
    // Throws FileError when `folder` is not one.
    explicit ModelShelf(const std::filesystem::path& folder);

    const std::filesystem::path& folder() const { return folder_; }  // absolute, without . or ..

    // File names, sorted.
    std::vector<std::string> names() const;

    // Throws RequestError (400) unless `name` is one of names().
    std::filesystem::path path_of(const std::string& name) const;

private:
    std::filesystem::path folder_;
};

}  // namespace pianola::web
