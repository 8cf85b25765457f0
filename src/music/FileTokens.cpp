#include "music/FileTokens.h"

#include <algorithm>
#include <exception>

#include "io/AtomicFile.h"
#include "midi/MidiReader.h"
#include "music/Score.h"

namespace pianola::music {

namespace {

// Exception messages become one line of the skip report.
std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

}  // namespace

FileTokens tokenize_midi(std::span<const std::uint8_t> bytes, const std::string& name, const Tokenizer& tokenizer) {
    FileTokens outcome;
    try {
        const midi::MidiFile file = midi::read_midi(bytes, name);
        for (const midi::ReadWarning& warning : file.warnings) outcome.warnings.push_back(warning.text());
        const Score score = score_from_midi(file);
        outcome.tokens = tokenize(tokenizer, score);
        outcome.notes = std::count_if(score.notes.begin(), score.notes.end(),
                                      [](const Note& note) { return note.channel != drum_channel; });
        outcome.tempo_us = score.tempo_us;
        if (outcome.tokens.empty()) outcome.failure = "no notes";
    } catch (const std::exception& e) {
        outcome.failure = one_line(e.what());
    }
    return outcome;
}

FileTokens tokenize_midi_file(const std::filesystem::path& path, const Tokenizer& tokenizer) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = read_file(path);
    } catch (const std::exception& e) {
        return unreadable_file(e);
    }
    return tokenize_midi(bytes, path.string(), tokenizer);
}

FileTokens unreadable_file(const std::exception& error) {
    FileTokens outcome;
    outcome.failure = one_line(error.what());
    return outcome;
}

}  // namespace pianola::music
