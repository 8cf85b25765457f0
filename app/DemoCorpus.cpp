#include "DemoCorpus.h"

#include "io/FileError.h"

namespace pianola::app {

std::vector<std::filesystem::path> demo_corpus_folders() {
    const std::vector<std::filesystem::path> folders = {"/usr/share/doc/pianobooster", "/usr/share/doc/mma"};
    std::vector<std::filesystem::path> installed;
    for (const auto& dir : folders)
        if (std::filesystem::is_directory(dir)) installed.push_back(dir);
    if (installed.empty())
        throw FileError(folders.front().string(),
                        "the demo corpus is not installed (Debian packages pianobooster and mma): run scripts/setup.sh");
    return installed;
}

}  // namespace pianola::app
