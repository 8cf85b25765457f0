// Loading a corpus: finding the files, then reading and tokenizing them on worker threads.
// A bad file is recorded and passed over, never fatal; only an unusable corpus as a whole is.
// With a cache folder, tokens come through TokenCache; without, every load reads the files again.
#include "music/Corpus.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "io/FileError.h"
#include "music/FileTokens.h"
#include "music/TokenCache.h"
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

// A file's outcome into the corpus: a piece, or a skip; its warnings either way.
void add_outcome(Corpus& corpus, const std::filesystem::path& path, FileTokens outcome) {
    if (!outcome.warnings.empty()) corpus.warned.push_back({path, std::move(outcome.warnings)});
    if (outcome.failure)
        corpus.skipped.push_back({path, std::move(*outcome.failure)});
    else
        corpus.add_piece(path, outcome.tokens, outcome.notes, outcome.tempo_us);
}

// A cached record into the corpus as reading the file would have put it, its ids taken as they
// are (the corpus holds the cache's table). Throws std::out_of_range for an id past the table.
void add_cached(Corpus& corpus, const std::filesystem::path& path, const CachedFile& file, std::size_t table_size) {
    std::vector<std::string> warnings;
    for (std::string_view rest = file.warnings; !rest.empty();) {
        const std::size_t end = std::min(rest.find('\n'), rest.size());
        warnings.emplace_back(rest.substr(0, end));
        rest.remove_prefix(std::min(end + 1, rest.size()));
    }
    if (!warnings.empty()) corpus.warned.push_back({path, std::move(warnings)});
    if (!file.failure.empty()) {
        corpus.skipped.push_back({path, std::string(file.failure)});
        return;
    }
    if (!file.ids.empty() && *std::max_element(file.ids.begin(), file.ids.end()) >= table_size)
        throw std::out_of_range(path.string() + ": a token id not in the token cache's table");
    corpus.pieces.push_back({path, {file.ids.begin(), file.ids.end()}, file.notes, file.tempo_us});
}

// The corpus through the cache in `cache_dir`; nullopt (with the reason in `problem`) when the
// cache cannot be written.
std::optional<Corpus> load_through_cache(const std::vector<std::filesystem::path>& dirs,
                                         const std::vector<std::filesystem::path>& files, int threads,
                                         const Tokenizer& tokenizer, const std::filesystem::path& cache_dir,
                                         std::string& problem) {
    const std::filesystem::path cache_file = TokenCache::file_for(cache_dir, dirs, tokenizer);
    // Opening checks a cache's structure, not each of its ids (that would read all of them on every
    // warm load): an id its table does not hold shows here, and the cache is made again, once.
    for (int attempt = 0;; ++attempt) {
        try {
            const TokenCache cache = TokenCache::update(cache_file, files, tokenizer, threads);
            Corpus corpus;
            corpus.tokenizer = tokenizer;
            corpus.tokenized = cache.last_update().tokenized;
            corpus.from_cache = files.size() - corpus.tokenized;
            std::vector<std::string> table;
            table.reserve(cache.token_kinds());
            for (std::size_t id = 0; id < cache.token_kinds(); ++id) table.emplace_back(cache.token(static_cast<std::uint32_t>(id)));
            corpus.adopt_table(std::move(table));
            for (std::size_t i = 0; i < files.size(); ++i) add_cached(corpus, files[i], cache.file(i), cache.token_kinds());
            return corpus;
        } catch (const FileError& e) {
            problem = e.what();
            return std::nullopt;
        } catch (const std::out_of_range& e) {
            std::error_code error;
            std::filesystem::remove(cache_file, error);
            if (attempt > 0 || error) {
                problem = cache_file.string() + ": " + e.what();
                return std::nullopt;
            }
        }
    }
}

}  // namespace

std::size_t Corpus::token_count() const {
    std::size_t count = 0;
    for (const CorpusPiece& piece : pieces) count += piece.ids.size();
    return count;
}

std::vector<std::string> Corpus::tokens(const CorpusPiece& piece) const {
    std::vector<std::string> out;
    out.reserve(piece.ids.size());
    for (const std::uint32_t id : piece.ids) out.push_back(token(id));
    return out;
}

std::uint32_t Corpus::intern(const std::string& token) {
    for (; indexed_ < table_.size(); ++indexed_)  // an adopted table is inverted when first needed
        index_.emplace(table_[indexed_], static_cast<std::uint32_t>(indexed_));
    const auto [it, added] = index_.try_emplace(token, static_cast<std::uint32_t>(table_.size()));
    if (added) {
        table_.push_back(token);
        ++indexed_;
    }
    return it->second;
}

CorpusPiece& Corpus::add_piece(std::filesystem::path path, const std::vector<std::string>& tokens, std::int64_t notes,
                               std::uint32_t tempo_us) {
    CorpusPiece piece{std::move(path), {}, notes, tempo_us};
    piece.ids.reserve(tokens.size());
    for (const std::string& token : tokens) piece.ids.push_back(intern(token));
    return pieces.emplace_back(std::move(piece));
}

void Corpus::adopt_table(std::vector<std::string> table) {
    if (!pieces.empty()) throw std::logic_error("a corpus takes a token table before its pieces");
    table_ = std::move(table);
    index_.clear();
    indexed_ = 0;
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

Corpus load_corpus(const std::vector<std::filesystem::path>& dirs, int threads, const Tokenizer& tokenizer,
                   const std::optional<std::filesystem::path>& cache_dir) {
    if (dirs.empty()) throw std::invalid_argument("load_corpus needs at least one folder");
    const std::vector<std::filesystem::path> files = find_midi_files(dirs);

    std::string cache_problem;
    std::optional<Corpus> cached;
    if (cache_dir) cached = load_through_cache(dirs, files, threads, tokenizer, *cache_dir, cache_problem);
    Corpus corpus;
    if (cached) {
        corpus = std::move(*cached);
    } else {
        // Outcomes land at their file's index, so the result does not depend on which thread read what.
        std::vector<FileTokens> outcomes(files.size());
        parallel_for(files.size(), threads, [&](std::size_t i) { outcomes[i] = tokenize_midi_file(files[i], tokenizer); });
        corpus.tokenizer = tokenizer;
        corpus.tokenized = files.size();
        for (std::size_t i = 0; i < files.size(); ++i) add_outcome(corpus, files[i], std::move(outcomes[i]));
        if (cache_dir) corpus.cache_problem = cache_problem;
    }
    if (corpus.pieces.empty())
        throw FileError(dirs.front().string(),
                        "no readable MIDI file (" + std::to_string(corpus.skipped.size()) +
                            " skipped; the first: " + corpus.skipped.front().reason + ")");
    return corpus;
}

}  // namespace pianola::music
