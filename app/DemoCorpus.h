// The embedded default corpus: the MIDI files Debian's pianobooster and mma packages install
// (scripts/setup.sh installs them), what `pianola demo` learns from and `bench corpus` multiplies
// when given no folder.
#pragma once

#include <filesystem>
#include <vector>

namespace pianola::app {

// The folders of it that are installed; throws FileError naming the first when none is.
std::vector<std::filesystem::path> demo_corpus_folders();

}  // namespace pianola::app
