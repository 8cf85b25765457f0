// TokenCache: the tokens of every MIDI file of a corpus kept in one binary file between runs, so
// that loading the corpus again reads only the files that changed. A file is taken from the cache
// when its path, size and modification time match its record; when only the time differs, its
// bytes are read and hashed, and a matching hash still spares the tokenizing. The cache is keyed by
// the tokenizer's options and pianola's version (another key is another file), and read in place
// through a memory map: 100,000 pieces' tokens cost address space, not resident memory.
//
// It is not shared by processes writing at once: each writes a whole new file and renames it
// (the last one wins, and every reader sees a whole file). A cache that does not read back exactly
// (another format, cut short, damaged) is ignored and written again, never trusted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "io/MappedFile.h"
#include "music/Tokenizer.h"

namespace pianola::music {

// One file's record, pointing into the mapped cache (valid while the TokenCache lives).
struct CachedFile {
    std::string_view path;
    std::span<const std::uint32_t> ids;  // into the cache's token table; empty when skipped
    std::int64_t notes = 0;
    std::uint32_t tempo_us = 500000;
    std::string_view failure;   // why it gives no piece (FileTokens::failure); empty when it gave tokens
    std::string_view warnings;  // the reader's warnings, one per line ('\n' between them)
};

// What one update did.
struct TokenCacheUpdate {
    std::size_t files = 0;
    std::size_t unchanged = 0;  // taken by path, size and time alone
    std::size_t rehashed = 0;   // time changed, bytes did not
    std::size_t tokenized = 0;  // read and tokenized
    bool written = false;       // the cache file was (re)written
};

struct CacheRecord;  // the on-disk layouts, in TokenCache.cpp
struct CacheString;

class TokenCache {
public:
    // The cache file for these folders read with this tokenizer: `cache_dir`/tokens-<hash>.bin,
    // the hash of the tokenizer key and the folders' absolute paths.
    static std::filesystem::path file_for(const std::filesystem::path& cache_dir,
                                          const std::vector<std::filesystem::path>& dirs, const Tokenizer& tokenizer);

    // Brings `cache_file` up to date with `files` (as find_midi_files lists them), tokenizing on
    // `threads` threads (<= 0: every core) what is new or changed, and maps it. Records come in
    // the order of `files`. Files no longer listed drop out. Throws FileError when the cache
    // file cannot be written.
    static TokenCache update(const std::filesystem::path& cache_file, const std::vector<std::filesystem::path>& files,
                             const Tokenizer& tokenizer, int threads);

    std::size_t size() const { return record_count_; }
    CachedFile file(std::size_t i) const;
    // Throws std::out_of_range for an id the table does not hold.
    std::string_view token(std::uint32_t id) const;
    std::size_t token_total() const { return id_count_; }  // tokens of all files together
    std::size_t token_kinds() const { return string_count_; }  // the table's size: ids are below it
    const TokenCacheUpdate& last_update() const { return update_; }

private:
    // Maps `path` and checks it whole; nullopt when absent or not a cache of `key_hash`.
    static std::optional<TokenCache> open(const std::filesystem::path& path, std::uint64_t key_hash);

    MappedFile map_;
    std::size_t record_count_ = 0, string_count_ = 0, id_count_ = 0;
    const CacheRecord* records_ = nullptr;
    const CacheString* strings_ = nullptr;
    const std::uint32_t* ids_ = nullptr;
    const char* text_ = nullptr;
    TokenCacheUpdate update_;
};

}  // namespace pianola::music
