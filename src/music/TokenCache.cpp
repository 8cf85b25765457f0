// The cache file, in the machine's byte order (a file of the other order fails the probe and is
// written again), every section 8-byte aligned:
//   Header
//   CacheRecord[record_count]  one per MIDI file, in the listed order
//   CacheString[string_count]  the token table: each token's place in the text
//   uint32 ids[id_count]       every file's token ids, file after file (padded to 8 bytes)
//   char text[text_bytes]      paths, failures, warnings and token spellings
// A rewrite starts its token table from the old one, so ids copied from old records stay valid.
#include "music/TokenCache.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unordered_map>

#include <xxhash.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "music/FileTokens.h"
#include "runtime/ParallelFor.h"

namespace pianola::music {

namespace {

constexpr char cache_magic[8] = {'P', 'N', 'L', 'T', 'O', 'K', 'S', '1'};
constexpr std::uint32_t format_version = 1;
constexpr std::uint32_t byte_order_probe = 0x01020304;
// Raise when the MIDI reader, Score or a tokenizer changes what a file gives, so that caches of
// an unreleased build miss instead of serving stale tokens (PIANOLA_VERSION is in the key too).
constexpr std::uint32_t tokens_revision = 1;
// Files tokenized between two appends to the new cache: bounds the tokens held as strings.
constexpr std::size_t chunk_files = 1024;

struct Header {
    char magic[8];
    std::uint32_t format_version;
    std::uint32_t byte_order;
    std::uint64_t key_hash;
    std::uint64_t record_count, string_count, id_count, text_bytes;
};

constexpr std::uint32_t unreadable_flag = 1;  // could not be read: try it again next time

std::uint64_t hash_text(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

std::uint64_t key_hash_of(const Tokenizer& tokenizer) {
    return hash_text("pianola " PIANOLA_VERSION " format " + std::to_string(format_version) + " tokens " +
                     std::to_string(tokens_revision) + " " + tokenizer_key(tokenizer));
}

std::uint64_t padded8(std::uint64_t bytes) { return (bytes + 7) / 8 * 8; }

struct FileStat {
    std::uint64_t size = 0;
    std::int64_t mtime_ns = -1;  // -1: could not stat; never matches a record
};

FileStat stat_file(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return {};
    return {static_cast<std::uint64_t>(info.st_size),
            static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

}  // namespace

struct CacheRecord {
    std::uint64_t size;
    std::int64_t mtime_ns;
    std::uint64_t content_hash;
    std::uint64_t first_id, id_count;
    std::int64_t notes;
    std::uint64_t path_offset, failure_offset, warnings_offset;
    std::uint32_t path_length, failure_length, warnings_length;
    std::uint32_t tempo_us;
    std::uint32_t flags;
    std::uint32_t unused;
};

struct CacheString {
    std::uint64_t offset;
    std::uint32_t length;
    std::uint32_t unused;
};

namespace {

// The next cache file, built in memory section by section, then written in one go.
struct CacheBuilder {
    std::vector<CacheRecord> records;
    std::vector<CacheString> strings;
    // The ids in one array per chunk of files: one array of them all would be copied whole each
    // time it grew, holding 1.5 times its size at the peak.
    std::vector<std::vector<std::uint32_t>> id_chunks;
    std::uint64_t id_count = 0;
    std::string text;
    std::unordered_map<std::string, std::uint32_t> string_ids;

    std::uint64_t add_text(std::string_view bytes) {
        const std::uint64_t offset = text.size();
        text += bytes;
        return offset;
    }
    std::uint32_t intern(const std::string& token) {
        const auto [it, added] = string_ids.try_emplace(token, static_cast<std::uint32_t>(strings.size()));
        if (added) strings.push_back({add_text(token), static_cast<std::uint32_t>(token.size()), 0});
        return it->second;
    }
    // A record with its path, failure and warnings in the text, the file's size and time, and its
    // ids; the caller fills in the rest.
    CacheRecord& add_record(std::string_view path, std::string_view failure, std::string_view warnings,
                            const FileStat& stat, std::span<const std::uint32_t> file_ids) {
        CacheRecord& r = records.emplace_back(CacheRecord{});
        r.path_offset = add_text(path);
        r.path_length = static_cast<std::uint32_t>(path.size());
        r.failure_offset = add_text(failure);
        r.failure_length = static_cast<std::uint32_t>(failure.size());
        r.warnings_offset = add_text(warnings);
        r.warnings_length = static_cast<std::uint32_t>(warnings.size());
        r.size = stat.size;
        r.mtime_ns = stat.mtime_ns;
        r.first_id = id_count;
        r.id_count = file_ids.size();
        id_chunks.back().insert(id_chunks.back().end(), file_ids.begin(), file_ids.end());
        id_count += file_ids.size();
        return r;
    }

    void write(const std::filesystem::path& path, std::uint64_t key_hash) const {
        Header header{};
        std::memcpy(header.magic, cache_magic, sizeof cache_magic);
        header.format_version = format_version;
        header.byte_order = byte_order_probe;
        header.key_hash = key_hash;
        header.record_count = records.size();
        header.string_count = strings.size();
        header.id_count = id_count;
        header.text_bytes = text.size();
        auto bytes_of = [](const auto* data, std::size_t count) {
            return std::span(reinterpret_cast<const std::uint8_t*>(data), count * sizeof *data);
        };
        AtomicFileWriter file(path);
        file.write(bytes_of(&header, 1));
        file.write(bytes_of(records.data(), records.size()));
        file.write(bytes_of(strings.data(), strings.size()));
        for (const std::vector<std::uint32_t>& ids : id_chunks) file.write(bytes_of(ids.data(), ids.size()));
        const std::uint8_t zeros[8] = {};
        file.write(std::span(zeros, padded8(id_count * 4) - id_count * 4));
        file.write(bytes_of(text.data(), text.size()));
        file.commit();
    }
};

// What the update learned about one changed file: the old record it still equals, or its tokens.
struct ChangedFile {
    std::optional<std::size_t> same_as_old;
    FileTokens tokens;
    std::uint64_t content_hash = 0;
    bool unreadable = false;
};

std::string joined_lines(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) {
        if (!text.empty()) text += '\n';
        text += line;
    }
    return text;
}

}  // namespace

std::filesystem::path TokenCache::file_for(const std::filesystem::path& cache_dir,
                                           const std::vector<std::filesystem::path>& dirs, const Tokenizer& tokenizer) {
    std::vector<std::string> absolute;
    for (const std::filesystem::path& dir : dirs) {
        std::filesystem::path normal = std::filesystem::absolute(dir).lexically_normal();
        if (normal.filename().empty()) normal = normal.parent_path();  // "a/b/" and "a/b/." are "a/b"
        absolute.push_back(normal.string());
    }
    std::sort(absolute.begin(), absolute.end());
    absolute.erase(std::unique(absolute.begin(), absolute.end()), absolute.end());
    std::string key = std::to_string(key_hash_of(tokenizer));
    for (const std::string& dir : absolute) key += "\n" + dir;
    char name[40];
    std::snprintf(name, sizeof name, "tokens-%016llx.bin", static_cast<unsigned long long>(hash_text(key)));
    return cache_dir / name;
}

std::optional<TokenCache> TokenCache::open(const std::filesystem::path& path, std::uint64_t key_hash) {
    TokenCache cache;
    try {
        cache.map_ = MappedFile(path);
    } catch (const FileError&) {
        return std::nullopt;
    }
    const std::span<const std::uint8_t> bytes = cache.map_.bytes();
    Header header{};
    if (bytes.size() < sizeof header) return std::nullopt;
    std::memcpy(&header, bytes.data(), sizeof header);
    if (std::memcmp(header.magic, cache_magic, sizeof cache_magic) != 0 || header.format_version != format_version ||
        header.byte_order != byte_order_probe || header.key_hash != key_hash)
        return std::nullopt;
    // Each count is checked against the file's size before it is multiplied, so nothing overflows.
    const std::uint64_t size = bytes.size();
    if (header.record_count > size / sizeof(CacheRecord) || header.string_count > size / sizeof(CacheString) ||
        header.id_count > size / 4 || header.text_bytes > size)
        return std::nullopt;
    const std::uint64_t records_at = sizeof header;
    const std::uint64_t strings_at = records_at + header.record_count * sizeof(CacheRecord);
    const std::uint64_t ids_at = strings_at + header.string_count * sizeof(CacheString);
    const std::uint64_t text_at = ids_at + padded8(header.id_count * 4);
    if (text_at + header.text_bytes != size) return std::nullopt;

    cache.record_count_ = header.record_count;
    cache.string_count_ = header.string_count;
    cache.id_count_ = header.id_count;
    cache.records_ = reinterpret_cast<const CacheRecord*>(bytes.data() + records_at);
    cache.strings_ = reinterpret_cast<const CacheString*>(bytes.data() + strings_at);
    cache.ids_ = reinterpret_cast<const std::uint32_t*>(bytes.data() + ids_at);
    cache.text_ = reinterpret_cast<const char*>(bytes.data() + text_at);
    auto in_text = [&](std::uint64_t offset, std::uint64_t length) {
        return offset <= header.text_bytes && length <= header.text_bytes - offset;
    };
    for (std::size_t i = 0; i < cache.record_count_; ++i) {
        const CacheRecord& r = cache.records_[i];
        if (!in_text(r.path_offset, r.path_length) || !in_text(r.failure_offset, r.failure_length) ||
            !in_text(r.warnings_offset, r.warnings_length) || r.first_id > header.id_count ||
            r.id_count > header.id_count - r.first_id)
            return std::nullopt;
    }
    for (std::size_t i = 0; i < cache.string_count_; ++i)
        if (!in_text(cache.strings_[i].offset, cache.strings_[i].length)) return std::nullopt;
    return cache;
}

CachedFile TokenCache::file(std::size_t i) const {
    if (i >= record_count_) throw std::out_of_range("token cache record out of range");
    const CacheRecord& r = records_[i];
    return {{text_ + r.path_offset, r.path_length},
            {ids_ + r.first_id, r.id_count},
            r.notes,
            r.tempo_us,
            {text_ + r.failure_offset, r.failure_length},
            {text_ + r.warnings_offset, r.warnings_length}};
}

std::string_view TokenCache::token(std::uint32_t id) const {
    if (id >= string_count_) throw std::out_of_range("token id " + std::to_string(id) + " not in the token cache's table");
    return {text_ + strings_[id].offset, strings_[id].length};
}

TokenCache TokenCache::update(const std::filesystem::path& cache_file, const std::vector<std::filesystem::path>& files,
                              const Tokenizer& tokenizer, int threads) {
    const std::uint64_t key_hash = key_hash_of(tokenizer);
    std::optional<TokenCache> old = open(cache_file, key_hash);

    std::vector<FileStat> stats(files.size());
    parallel_for(files.size(), threads, [&](std::size_t i) { stats[i] = stat_file(files[i]); });
    auto unchanged = [&](std::size_t i, std::size_t old_index) {
        const CacheRecord& r = old->records_[old_index];
        return r.flags == 0 && stats[i].mtime_ns >= 0 && r.size == stats[i].size && r.mtime_ns == stats[i].mtime_ns;
    };

    TokenCacheUpdate report;
    report.files = files.size();
    // The warm case: the same files in the same order, none touched. Nothing is read or written.
    if (old && old->record_count_ == files.size()) {
        std::size_t i = 0;
        while (i < files.size() && old->file(i).path == files[i].native() && unchanged(i, i)) ++i;
        if (i == files.size()) {
            report.unchanged = files.size();
            old->update_ = report;
            return std::move(*old);
        }
    }

    std::unordered_map<std::string_view, std::size_t> old_by_path;
    CacheBuilder next;
    if (old) {
        for (std::size_t i = 0; i < old->record_count_; ++i) old_by_path.emplace(old->file(i).path, i);
        for (std::size_t id = 0; id < old->string_count_; ++id) next.intern(std::string(old->token(static_cast<std::uint32_t>(id))));
    }
    auto old_index_of = [&](std::size_t i) -> std::optional<std::size_t> {
        const auto it = old_by_path.find(files[i].native());
        if (it == old_by_path.end()) return std::nullopt;
        return it->second;
    };

    for (std::size_t begin = 0; begin < files.size(); begin += chunk_files) {
        const std::size_t end = std::min(files.size(), begin + chunk_files);
        next.id_chunks.emplace_back();
        std::vector<std::optional<ChangedFile>> changed(end - begin);
        parallel_for(end - begin, threads, [&](std::size_t k) {
            const std::size_t i = begin + k;
            const std::optional<std::size_t> was = old_index_of(i);
            if (was && unchanged(i, *was)) return;
            ChangedFile& c = changed[k].emplace();
            std::vector<std::uint8_t> bytes;
            try {
                bytes = read_file(files[i]);
            } catch (const std::exception& e) {
                c.unreadable = true;
                c.tokens = unreadable_file(e);
                return;
            }
            c.content_hash = XXH3_64bits(bytes.data(), bytes.size());
            if (was && old->records_[*was].flags == 0 && old->records_[*was].content_hash == c.content_hash)
                c.same_as_old = was;
            else
                c.tokens = tokenize_midi(bytes, files[i].string(), tokenizer);
        });

        for (std::size_t k = 0; k < changed.size(); ++k) {
            const std::size_t i = begin + k;
            const std::optional<std::size_t> from_old = changed[k] ? changed[k]->same_as_old : old_index_of(i);
            if (from_old) {
                const CachedFile was = old->file(*from_old);
                const CacheRecord old_record = old->records_[*from_old];
                CacheRecord& r = next.add_record(was.path, was.failure, was.warnings, stats[i], was.ids);
                r.notes = old_record.notes;
                r.tempo_us = old_record.tempo_us;
                r.content_hash = old_record.content_hash;
                ++(changed[k] ? report.rehashed : report.unchanged);
                continue;
            }
            const ChangedFile& c = *changed[k];
            std::vector<std::uint32_t> ids;
            ids.reserve(c.tokens.tokens.size());
            for (const std::string& token : c.tokens.tokens) ids.push_back(next.intern(token));
            CacheRecord& r = next.add_record(files[i].native(), c.tokens.failure.value_or(""),
                                             joined_lines(c.tokens.warnings), stats[i], ids);
            r.notes = c.tokens.notes;
            r.tempo_us = c.tokens.tempo_us;
            r.content_hash = c.content_hash;
            r.flags = c.unreadable ? unreadable_flag : 0;
            ++report.tokenized;
        }
    }

    std::error_code error;
    std::filesystem::create_directories(cache_file.parent_path(), error);
    if (error) throw FileError(cache_file.parent_path().string(), "cannot make the token cache's folder: " + error.message());
    old.reset();  // its records are copied; unmapped before the new file replaces it
    next.write(cache_file, key_hash);
    next = CacheBuilder();
    std::optional<TokenCache> fresh = open(cache_file, key_hash);
    bool same_files = fresh && fresh->record_count_ == files.size();
    for (std::size_t i = 0; same_files && i < files.size(); ++i) same_files = fresh->file(i).path == files[i].native();
    if (!same_files)
        throw FileError(cache_file.string(), "the token cache changed while it was written (another pianola?); run again");
    report.written = true;
    fresh->update_ = report;
    return std::move(*fresh);
}

}  // namespace pianola::music
