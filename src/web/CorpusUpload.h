// CorpusUpload: the MIDI files a studio user uploads to train on, several at once or one .zip of
// them, checked against limits before anything is kept, each validated by pianola's MIDI reader and
// then tokenized as `pianola tokens` does, so the page can say what was read and what was skipped
// and why. A zip is read in memory (libzip) with its entries' real unpacked sizes counted as they
// are read, so a zip whose directory lies about its sizes is caught too. It is not an archive
// tool: one level of zip, MIDI files only; a zip inside a zip is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "music/Tokenizer.h"

namespace pianola::web {

struct UploadLimits {
    std::size_t request_bytes = 64u << 20;    // every file of the upload together, as sent
    std::size_t files = 2000;                 // files, a zip's entries counted one by one
    std::size_t file_bytes = 16u << 20;       // one MIDI file, unpacked
    std::size_t unpacked_bytes = 256u << 20;  // a zip's entries together, unpacked
    double ratio = 200;                       // a zip entry's unpacked size over its packed size
    int depth = 16;                           // folders within a zip
};

struct SentFile {
    std::string name;  // as the browser names it: a file name, never a path that is used
    std::string_view bytes;
};

struct UploadedPiece {
    std::string name;     // as uploaded (inside a zip: its path there)
    bool read = false;    // kept for training
    std::string note;     // read: "N notes, M tokens"; skipped: why, as `pianola tokens` says it
};

struct CorpusReport {
    std::vector<UploadedPiece> pieces;  // in the order sent (a zip's in its order)
    std::size_t read = 0;
    std::uintmax_t bytes = 0;           // what the kept files take on disk
};

// Writes the files that read and give tokens into `folder` (created; names made safe and unique)
// and reports on every file; when not one does, `read` is 0 and the folder is removed. Throws
// RequestError: 413 for a limit broken, 400 for no file, an unsafe or nested zip entry or a zip
// that does not open; nothing is kept then either.
CorpusReport receive_corpus(const std::vector<SentFile>& files, const std::filesystem::path& folder,
                            const UploadLimits& limits, const music::Tokenizer& tokenizer);

}  // namespace pianola::web
