// libFuzzer target for the MIDI reader and what reads its output (built and run by
// scripts/fuzz.sh, not by ctest). Any byte string must either parse or throw FileError; anything
// else (a crash, a sanitizer report, another exception, a hang) is a bug. A file that parses must
// also survive the CSV printer, the writer (reading back to the same CSV text), note pairing and
// both tokenizers, the paths every corpus file takes; timed tokens must decode, write, and
// tokenize back to themselves.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/FileError.h"
#include "midi/MidiCsv.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "music/Score.h"
#include "music/SeedTokenizer.h"
#include "music/TimedTokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pianola;
    midi::MidiFile file;
    try {
        file = midi::read_midi(std::span<const std::uint8_t>(data, size), "fuzz.mid");
    } catch (const FileError&) {
        return 0;
    }
    // Nothing below may throw on what the reader accepts, so an exception escapes and libFuzzer
    // reports it as a crash, as it does the abort on a CSV that changes across a round trip.
    const std::string csv = midi::midi_csv(file);
    if (midi::midi_csv(midi::read_midi(midi::write_midi(file), "rewritten.mid")) != csv) std::abort();
    const music::Score score = music::score_from_midi(file);
    music::SeedTokenizer().tokenize(score);
    const music::TimedTokenizer timed;
    std::vector<std::string> tokens;
    try {
        tokens = timed.tokenize(score);
    } catch (const std::invalid_argument&) {
        return 0;  // a piece too long to decode: corpus loading skips it with this reason
    }
    const music::Score decoded = timed.decode(tokens, 500000);
    midi::write_midi(music::midi_from_score(decoded));
    if (timed.tokenize(decoded) != tokens) std::abort();
    return 0;
}
