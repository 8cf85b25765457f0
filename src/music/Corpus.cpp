// Loading a corpus: finding the files, then reading and tokenizing them on worker threads.
// A bad file is recorded and passed over, never fatal; only an unusable corpus as a whole is.
// It does not cache anything: every load reads the files again.
#include "music/Corpus.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "music/Score.h"
#include "runtime/ParallelFor.h"

namespace pianola::music {

namespace {

// Also "*.mid.gz" and the like: Debian ships gzipped MIDI, and the reader inflates it. "*.rmi"
// is RIFF-wrapped MIDI, which the reader unwraps.
bool is_midi_name(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view stem = name;
    if (stem.ends_with(".gz")) stem.remove_suffix(3);
    return stem.ends_with(".mid") || stem.ends_with(".midi") || stem.ends_with(".kar") || stem.ends_with(".smf") ||
           stem.ends_with(".rmi");
}

std::vector<std::filesystem::path> midi_files_under(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::file_status status = fs::status(dir, error);
    if (!fs::exists(status)) throw FileError(dir.string(), "no such folder");
    if (!fs::is_directory(status)) return {dir};

    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error))
        if (it->is_regular_file(error) && is_midi_name(it->path())) files.push_back(it->path());
    if (error) throw FileError(dir.string(), "cannot list the folder: " + error.message());
    if (files.empty()) throw FileError(dir.string(), "no MIDI files found");
    return files;
}

// Exception messages become one line of the skip report.
std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

struct FileOutcome {
    CorpusPiece piece;
    std::optional<std::string> failure;
    std::vector<std::string> warnings;
};

FileOutcome tokenize_file(const std::filesystem::path& path, const Tokenizer& tokenizer) {
    FileOutcome outcome{{path, {}}, std::nullopt, {}};
    try {
        const midi::MidiFile file = midi::read_midi_file(path);
        for (const midi::ReadWarning& warning : file.warnings) outcome.warnings.push_back(warning.text());
        const Score score = score_from_midi(file);
        outcome.piece.tokens = tokenize(tokenizer, score);
        outcome.piece.notes = std::count_if(score.notes.begin(), score.notes.end(),
                                            [](const Note& note) { return note.channel != drum_channel; });
        outcome.piece.tempo_us = score.tempo_us;
        if (outcome.piece.tokens.empty()) outcome.failure = "no notes";
    } catch (const std::exception& e) {
        outcome.failure = one_line(e.what());
    }
    return outcome;
}

}  // namespace

std::size_t Corpus::token_count() const {
    std::size_t count = 0;
    for (const CorpusPiece& piece : pieces) count += piece.tokens.size();
    return count;
}

std::int64_t Corpus::note_count() const {
    std::int64_t count = 0;
    for (const CorpusPiece& piece : pieces) count += piece.notes;
    return count;
}

std::uint32_t Corpus::median_tempo_us() const {
    if (pieces.empty()) return 500000;
    std::vector<std::uint32_t> tempos;
    for (const CorpusPiece& piece : pieces) tempos.push_back(piece.tempo_us);
    const auto middle = tempos.begin() + static_cast<std::ptrdiff_t>((tempos.size() - 1) / 2);
    std::nth_element(tempos.begin(), middle, tempos.end());
    return *middle;
}

std::vector<std::filesystem::path> find_midi_files(const std::vector<std::filesystem::path>& dirs) {
    std::vector<std::filesystem::path> files;
    for (const std::filesystem::path& dir : dirs) {
        std::vector<std::filesystem::path> found = midi_files_under(dir);
        files.insert(files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());
    return files;
}

Corpus load_corpus(const std::vector<std::filesystem::path>& dirs, int threads, const Tokenizer& tokenizer) {
    if (dirs.empty()) throw std::invalid_argument("load_corpus needs at least one folder");
    const std::vector<std::filesystem::path> files = find_midi_files(dirs);

    // Outcomes land at their file's index, so the result does not depend on which thread read what.
    std::vector<FileOutcome> outcomes(files.size());
    parallel_for(files.size(), threads, [&](std::size_t i) { outcomes[i] = tokenize_file(files[i], tokenizer); });

    Corpus corpus;
    corpus.tokenizer = tokenizer;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (!outcomes[i].warnings.empty()) corpus.warned.push_back({files[i], std::move(outcomes[i].warnings)});
        if (outcomes[i].failure)
            corpus.skipped.push_back({files[i], std::move(*outcomes[i].failure)});
        else
            corpus.pieces.push_back(std::move(outcomes[i].piece));
    }
    if (corpus.pieces.empty())
        throw FileError(dirs.front().string(),
                        "no readable MIDI file (" + std::to_string(corpus.skipped.size()) +
                            " skipped; the first: " + corpus.skipped.front().reason + ")");
    return corpus;
}

}  // namespace pianola::music
