// Corpus: every MIDI file under some folders, read and tokenized (or taken from a token cache),
// with the files that could not be read listed with their reason instead of stopping the load,
// and the files read with warnings listed with them. Files are read in parallel (the order of the
// result is the sorted path order, whatever the thread count).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "music/Tokenizer.h"

namespace pianola::music {

struct CorpusPiece {
    std::filesystem::path path;
    // Its tokens as ids into its corpus' token table (Corpus::token): 4 bytes a token, where
    // strings took about 32, so that a corpus of 100,000 files is held in a few hundred MB.
    std::vector<std::uint32_t> ids;
    // Its non-drum notes, whatever the tokenizer: what bits per note divide by, so that
    // tokenizers compare on one scale.
    std::int64_t notes = 0;
    std::uint32_t tempo_us = 500000;  // at its start
};

struct SkippedFile {
    std::filesystem::path path;
    std::string reason;  // one line, with the byte offset for malformed MIDI
};

// A file the MIDI reader read past something odd in (midi::ReadWarning), whether it then gave
// tokens or not.
struct WarnedFile {
    std::filesystem::path path;
    std::vector<std::string> warnings;  // one line each, with the byte offset
};

class Corpus {
public:
    Tokenizer tokenizer;              // what made the pieces' tokens
    std::vector<CorpusPiece> pieces;  // files that gave at least one token
    std::vector<SkippedFile> skipped;
    std::vector<WarnedFile> warned;
    std::size_t tokenized = 0;          // files read and tokenized by this load
    std::size_t from_cache = 0;         // files whose tokens came from the token cache
    std::optional<std::string> cache_problem;  // why the token cache was not used, when it was asked for
    std::size_t token_count() const;
    std::int64_t note_count() const;
    // The median of the pieces' starting tempos (lower middle; 120 BPM without pieces): the tempo
    // a timed model composes at.
    std::uint32_t median_tempo_us() const;

    // The token table the pieces' ids index: each distinct token once (a token cache's table may
    // hold tokens no piece uses).
    const std::vector<std::string>& token_table() const { return table_; }
    const std::string& token(std::uint32_t id) const { return table_.at(id); }
    std::vector<std::string> tokens(const CorpusPiece& piece) const;
    // Adds a piece of these tokens, their strings added to the table where new.
    CorpusPiece& add_piece(std::filesystem::path path, const std::vector<std::string>& tokens, std::int64_t notes = 0,
                           std::uint32_t tempo_us = 500000);
    // Takes `table` as the token table, for pieces whose ids index it (a token cache's); only on
    // a corpus without pieces.
    void adopt_table(std::vector<std::string> table);

private:
    std::uint32_t intern(const std::string& token);

    std::vector<std::string> table_;
    std::unordered_map<std::string, std::uint32_t> index_;  // table_[0, indexed_) inverted
    std::size_t indexed_ = 0;
};

// MIDI files are *.mid, *.midi, *.kar, *.smf and *.rmi (any case, optionally gzipped: "*.mid.gz"), found
// recursively; the files of all folders come back as one sorted list without duplicates. A path
// that is a file is taken as it is, whatever its name. Throws FileError when a path is missing
// or a folder holds no MIDI file at all.
std::vector<std::filesystem::path> find_midi_files(const std::vector<std::filesystem::path>& dirs);

// Tokenizes every file on `threads` threads (<= 0: every core). A file that cannot be read or
// tokenized (the exception's message is the reason) or has no notes ("no notes") is skipped.
// With `cache_dir`, the tokens come from a TokenCache there and only new or changed files are
// read; a cache that cannot be written is passed over (the files are read as without one) and
// `cache_problem` says why. Throws FileError naming the first folder when not one file could be used.
Corpus load_corpus(const std::vector<std::filesystem::path>& dirs, int threads, const Tokenizer& tokenizer = {},
                   const std::optional<std::filesystem::path>& cache_dir = std::nullopt);

}  // namespace pianola::music
