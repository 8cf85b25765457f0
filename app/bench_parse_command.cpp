// `pianola bench parse --data DIR...`: how fast the MIDI reader is, as JSON lines a script can
// compare with bench/mido_parse.py. Two measurements: parsing files already in memory (the
// reader alone) and reading them from disk then parsing (what loading a corpus costs, with a
// warm page cache after the first pass). It measures; it does not judge the figures.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "io/AtomicFile.h"
#include "midi/MidiReader.h"
#include "music/Corpus.h"
#include "runtime/ParallelFor.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchFlags {
    std::vector<std::filesystem::path> data;
    int repeat = 5;
    int threads = 0;
};

struct ParseOutcome {
    std::size_t events = 0;
    bool failed = false;
};

std::size_t event_count(const midi::MidiFile& file) {
    std::size_t events = 0;
    for (const midi::Track& track : file.tracks) events += track.events.size();
    return events;
}

// The reader never throws anything but FileError on bad bytes; a worker thread must not throw.
template <typename Parse>
ParseOutcome parse_counting(Parse&& parse) {
    try {
        return {event_count(parse()), false};
    } catch (const std::exception&) {
        return {0, true};
    }
}

// Runs `pass` (all files once) `repeat` times and prints the fastest as one JSON line.
template <typename Pass>
void measure(const char* source, const BenchFlags& flags, std::size_t files, std::size_t bytes, Pass&& pass) {
    double best = 0;
    std::vector<ParseOutcome> outcomes(files);
    for (int r = 0; r < flags.repeat; ++r) {
        const auto start = Clock::now();
        pass(outcomes);
        const double seconds = seconds_since(start);
        if (r == 0 || seconds < best) best = seconds;
    }
    std::size_t events = 0, failed = 0;
    for (const ParseOutcome& o : outcomes) {
        events += o.events;
        failed += o.failed;
    }
    const nlohmann::json line = {{"bench", "parse"},
                                 {"source", source},
                                 {"files", files},
                                 {"failed", failed},
                                 {"bytes", bytes},
                                 {"events", events},
                                 {"mb_per_s", static_cast<double>(bytes) / 1e6 / best},
                                 {"seconds", best},
                                 {"repeat", flags.repeat},
                                 {"threads", worker_count(flags.threads, files)}};
    fmt::print("{}\n", line.dump());
}

void run_bench_parse(const BenchFlags& flags) {
    const std::vector<std::filesystem::path> paths = music::find_midi_files(flags.data);
    std::vector<std::vector<std::uint8_t>> contents(paths.size());
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
        contents[i] = read_file(paths[i]);
        bytes += contents[i].size();
    }
    measure("memory", flags, paths.size(), bytes, [&](std::vector<ParseOutcome>& outcomes) {
        parallel_for(paths.size(), flags.threads, [&](std::size_t i) {
            outcomes[i] = parse_counting([&] { return midi::read_midi(contents[i], paths[i].string()); });
        });
    });
    measure("disk", flags, paths.size(), bytes, [&](std::vector<ParseOutcome>& outcomes) {
        parallel_for(paths.size(), flags.threads, [&](std::size_t i) {
            outcomes[i] = parse_counting([&] { return midi::read_midi_file(paths[i]); });
        });
    });
}

}  // namespace

void add_bench_parse_command(CLI::App& bench) {
    auto flags = std::make_shared<BenchFlags>();
    CLI::App* parse = bench.add_subcommand(
        "parse", "MIDI parsing throughput: one JSON line for files in memory, one for files read from disk.");
    parse->add_option("--data", flags->data, "Folders (or files) of MIDI")->required()->expected(1, -1);
    parse->add_option("--repeat", flags->repeat, "Passes over the files; the fastest is reported")
        ->check(CLI::Range(1, 1000))->capture_default_str();
    parse->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    parse->callback([flags] { run_bench_parse(*flags); });
}

}  // namespace pianola::app
