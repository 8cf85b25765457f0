#include "web/CorpusUpload.h"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/core.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "music/Corpus.h"
#include "web/RequestError.h"

namespace pianola::web {

namespace {

constexpr double mebibyte = 1024.0 * 1024.0;

// One file of the upload, unpacked: its bytes, or why it is not taken.
struct Candidate {
    std::string name;
    std::string bytes;
    std::string skipped;  // empty: a MIDI file to validate
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool ends_with(std::string_view name, std::string_view suffix) {
    const std::string low = lower(name);
    return low.size() >= suffix.size() && low.compare(low.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The names music::find_midi_files takes, gzipped ones included.
bool is_midi_name(std::string_view name) {
    for (const std::string_view ext : {".mid", ".midi", ".kar", ".smf", ".rmi"})
        if (ends_with(name, ext) || ends_with(name, std::string(ext) + ".gz")) return true;
    return false;
}

[[noreturn]] void too_large(const std::string& what, std::size_t limit) {
    throw RequestError(413, fmt::format("{}; at most {:.0f} MiB is taken: nothing was kept", what,
                                        static_cast<double>(limit) / mebibyte));
}

// A zip entry's path is only ever reported, never used as one; still, an entry that would climb
// out of a folder (zip slip) or starts at the root says the archive was made to attack.
void check_entry_path(const std::string& zip, const std::string& entry, int max_depth) {
    if (entry.empty() || entry[0] == '/' || entry[0] == '\\' || (entry.size() > 1 && entry[1] == ':'))
        throw RequestError(400, fmt::format("{}: the entry '{}' is an absolute path: nothing was kept", zip, entry));
    int depth = 0;
    std::size_t start = 0;
    while (start <= entry.size()) {
        const std::size_t end = std::min(entry.find_first_of("/\\", start), entry.size());
        if (entry.compare(start, end - start, "..") == 0)
            throw RequestError(400, fmt::format("{}: the entry '{}' climbs out of its folder (..): nothing was kept", zip, entry));
        ++depth;
        start = end + 1;
    }
    if (depth - 1 > max_depth)
        throw RequestError(400, fmt::format("{}: the entry '{}' lies more than {} folders deep: nothing was kept", zip,
                                            entry, max_depth));
}

struct ZipCloser {
    void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// Unpacks the zip's MIDI entries, counting what they really unpack to (a zip's directory may lie).
void unpack_zip(const SentFile& zip, const UploadLimits& limits, std::size_t& files, std::size_t& unpacked,
                std::vector<Candidate>& out) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(zip.bytes.data(), zip.bytes.size(), 0, &error);
    zip_t* opened = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
    if (!opened) {
        if (source) zip_source_free(source);
        const std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw RequestError(400, fmt::format("{} is not a zip file that opens ({}): nothing was kept", zip.name, why));
    }
    zip_error_fini(&error);
    const std::unique_ptr<zip_t, ZipCloser> archive(opened);
    const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
    std::vector<char> chunk(1 << 16);
    for (zip_int64_t i = 0; i < entries; ++i) {
        zip_stat_t stat;
        zip_stat_init(&stat);
        if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &stat) != 0 || !(stat.valid & ZIP_STAT_NAME))
            continue;
        const std::string name = stat.name;
        check_entry_path(zip.name, name, limits.depth);
        if (name.back() == '/') continue;  // a folder
        if (ends_with(name, ".zip"))
            throw RequestError(400, fmt::format("{}: '{}' is a zip inside the zip; unpack it first: nothing was kept",
                                                zip.name, name));
        if (++files > limits.files)
            throw RequestError(413, fmt::format("the upload holds more than {} files: nothing was kept", limits.files));
        Candidate& piece = out.emplace_back(Candidate{zip.name + ": " + name, {}, {}});
        if (!is_midi_name(name)) {
            piece.skipped = "not a MIDI file (.mid, .midi, .kar, .smf, .rmi)";
            continue;
        }
        const std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(i), 0));
        if (!file) {
            piece.skipped = fmt::format("cannot be unpacked: {}", zip_strerror(archive.get()));
            continue;
        }
        const double packed = (stat.valid & ZIP_STAT_COMP_SIZE) ? std::max<double>(1, stat.comp_size) : 1;
        for (;;) {
            const zip_int64_t got = zip_fread(file.get(), chunk.data(), chunk.size());
            if (got < 0) {
                piece.skipped = fmt::format("cannot be unpacked: {}", zip_file_strerror(file.get()));
                break;
            }
            if (got == 0) break;
            piece.bytes.append(chunk.data(), static_cast<std::size_t>(got));
            unpacked += static_cast<std::size_t>(got);
            if (piece.bytes.size() > limits.file_bytes) too_large(piece.name + " unpacks to more than one MIDI file may be", limits.file_bytes);
            if (unpacked > limits.unpacked_bytes) too_large(zip.name + " unpacks to more than an upload may", limits.unpacked_bytes);
            if (piece.bytes.size() > (1u << 20) && static_cast<double>(piece.bytes.size()) > limits.ratio * packed)
                throw RequestError(413, fmt::format("{} unpacks to more than {:.0f} times its packed size (a zip bomb?): "
                                                    "nothing was kept", piece.name, limits.ratio));
        }
    }
}

// A name for the kept file: the sent name's last part, in plain characters, unique in the folder.
std::string kept_name(const std::string& sent, std::set<std::string>& used) {
    const std::size_t folder_end = sent.find_last_of("/\\:");
    std::string base = sent.substr(folder_end == std::string::npos ? 0 : folder_end + 1);
    for (char& c : base)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
    if (base.size() > 100) base = base.substr(base.size() - 100);
    if (base.empty() || base[0] == '.') base = "piece" + base;
    const std::size_t dot = base.find('.');
    const std::string stem = base.substr(0, dot), ext = dot == std::string::npos ? "" : base.substr(dot);
    std::string name = base;
    for (int n = 2; !used.insert(lower(name)).second; ++n) name = fmt::format("{}-{}{}", stem, n, ext);
    return name;
}

// Validates each candidate, writes those that read into `folder` and tokenizes them.
CorpusReport keep_pieces(std::vector<Candidate>& candidates, const std::filesystem::path& folder,
                         const music::Tokenizer& tokenizer) {
    CorpusReport report;
    std::filesystem::create_directories(folder);
    std::set<std::string> used;
    std::map<std::string, std::size_t> kept;  // file name in the folder -> its piece
    for (Candidate& c : candidates) {
        UploadedPiece& piece = report.pieces.emplace_back(UploadedPiece{c.name, false, c.skipped});
        if (!c.skipped.empty()) continue;
        const std::string name = kept_name(c.name, used);
        try {
            // Read before it is kept; a gzipped file is read (and its bytes checked) by the corpus load.
            if (!ends_with(name, ".gz"))
                midi::read_midi({reinterpret_cast<const std::uint8_t*>(c.bytes.data()), c.bytes.size()}, c.name);
        } catch (const FileError& e) {
            piece.note = e.what();
            continue;
        }
        write_file_atomically(folder / name, std::string_view(c.bytes));
        kept[name] = report.pieces.size() - 1;
        std::string().swap(c.bytes);
    }

    if (!kept.empty()) {
        try {
            const music::Corpus corpus = music::load_corpus({folder}, 1, tokenizer);
            for (const music::CorpusPiece& p : corpus.pieces) {
                UploadedPiece& piece = report.pieces[kept.at(p.path.filename().string())];
                piece.read = true;
                piece.note = fmt::format("{} notes, {} tokens", p.notes, p.ids.size());
                ++report.read;
                report.bytes += std::filesystem::file_size(p.path);
            }
            for (const music::SkippedFile& s : corpus.skipped) {
                report.pieces[kept.at(s.path.filename().string())].note = s.reason;
                std::filesystem::remove(s.path);
            }
            for (const music::WarnedFile& w : corpus.warned) {
                UploadedPiece& piece = report.pieces[kept.at(w.path.filename().string())];
                if (piece.read && !w.warnings.empty()) piece.note += "; read past: " + w.warnings.front();
            }
        } catch (const FileError& e) {
            for (const auto& [name, index] : kept) report.pieces[index].note = e.what();  // not one file gave tokens
        }
    }
    if (report.read == 0) std::filesystem::remove_all(folder);
    return report;
}

}  // namespace

CorpusReport receive_corpus(const std::vector<SentFile>& files, const std::filesystem::path& folder,
                            const UploadLimits& limits, const music::Tokenizer& tokenizer) {
    std::size_t sent = 0;
    for (const SentFile& file : files) sent += file.bytes.size();
    if (sent > limits.request_bytes)
        too_large(fmt::format("the upload is {:.1f} MiB", static_cast<double>(sent) / mebibyte), limits.request_bytes);
    if (files.empty()) throw RequestError(400, "no file was sent: choose MIDI files or a .zip of them");

    std::vector<Candidate> candidates;
    std::size_t count = 0, unpacked = 0;
    for (const SentFile& file : files) {
        if (ends_with(file.name, ".zip")) {
            unpack_zip(file, limits, count, unpacked, candidates);
            continue;
        }
        if (++count > limits.files)
            throw RequestError(413, fmt::format("the upload holds more than {} files: nothing was kept", limits.files));
        if (file.bytes.size() > limits.file_bytes) too_large(file.name + " is larger than one MIDI file may be", limits.file_bytes);
        candidates.push_back({file.name, std::string(file.bytes),
                              is_midi_name(file.name) ? "" : "not a MIDI file (.mid, .midi, .kar, .smf, .rmi) or a .zip"});
    }

    try {
        return keep_pieces(candidates, folder, tokenizer);
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
        throw;
    }
}

}  // namespace pianola::web
