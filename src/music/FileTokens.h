// FileTokens: what one MIDI file gives a corpus (its tokens, its note count and starting tempo,
// the reader's warnings) or why it gives nothing. Both corpus loading and the token cache read
// files through it, so a cached file and a freshly read one are the same by construction. It
// never throws: a bad file is an outcome, not an error.
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "music/Tokenizer.h"

namespace pianola::music {

struct FileTokens {
    std::vector<std::string> tokens;
    // Its non-drum notes, whatever the tokenizer: what bits per note divide by, so that
    // tokenizers compare on one scale.
    std::int64_t notes = 0;
    std::uint32_t tempo_us = 500000;  // at its start
    // Why the file gives no piece, in one line (with the byte offset for malformed MIDI; "no
    // notes" for a file without any); nullopt when it gave tokens.
    std::optional<std::string> failure;
    std::vector<std::string> warnings;  // midi::ReadWarning texts, one line each
};

// The file's bytes as `name` (its path, for messages).
FileTokens tokenize_midi(std::span<const std::uint8_t> bytes, const std::string& name, const Tokenizer& tokenizer);

// Reads the file, then as above; a file that cannot be read is a failure with the reason.
FileTokens tokenize_midi_file(const std::filesystem::path& path, const Tokenizer& tokenizer);

// The outcome of a file that could not be read: `error`'s message, on one line, as its failure.
FileTokens unreadable_file(const std::exception& error);

}  // namespace pianola::music
