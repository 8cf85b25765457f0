// `pianola bench corpus --files N`: how fast a large corpus loads through the token cache, as one
// JSON line. It multiplies a small corpus into N MIDI files (each source piece transposed and
// re-timed: its tempo scaled), then loads them three times through music::TokenCache: cold (no
// cache), warm (nothing changed) and after one file in a hundred was rewritten. The files were
// just written, so "cold" means no token cache, not an empty page cache. Peak memory is the
// process' (cold_peak_rss_mb after the cold load, peak_rss_mb at the end), the mapped cache's
// pages included. It measures; it does not judge the figures.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "Commands.h"
#include "DemoCorpus.h"
#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "midi/MidiWriter.h"
#include "music/Corpus.h"
#include "music/Score.h"
#include "music/Tokenizer.h"
#include "music/TokenCache.h"
#include "runtime/ParallelFor.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

namespace {

struct BenchCorpusFlags {
    std::vector<std::filesystem::path> data;  // none: the demo corpus
    std::size_t files = 10000;
    std::filesystem::path work_dir = std::filesystem::temp_directory_path();
    bool keep = false;
    int threads = 0;
};

constexpr std::size_t files_per_folder = 1000;  // very large folders list slowly on most file systems

// Source piece `variant` times over: transposed by -5..+6 semitones (none where a note would leave
// MIDI's range) and played at one of 8 tempos, so that pieces differ in tokens and in bytes.
midi::MidiFile variant_of(const midi::MidiFile& source, std::size_t variant) {
    const int semitones = static_cast<int>(variant % 12) - 5;
    const double tempo_scale = 1.0 + 0.05 * static_cast<double>((variant / 12) % 8);
    const auto pitched = [](const midi::Event& e) {
        return (e.kind() == midi::status::note_on || e.kind() == midi::status::note_off) && e.channel() != music::drum_channel;
    };
    bool fits = true;
    for (const midi::Track& track : source.tracks)
        for (const midi::Event& e : track.events)
            if (pitched(e)) fits = fits && e.d1 + semitones >= 0 && e.d1 + semitones <= 127;
    midi::MidiFile file = source;
    for (midi::Track& track : file.tracks)
        for (midi::Event& e : track.events) {
            if (fits && pitched(e))
                e.d1 = static_cast<std::uint8_t>(e.d1 + semitones);
            if (e.is_meta(midi::meta::tempo) && e.payload_size == 3) {
                std::uint8_t* p = track.payload.data() + e.payload_offset;
                const auto us = static_cast<std::uint32_t>((p[0] << 16 | p[1] << 8 | p[2]) * tempo_scale);
                const std::uint32_t clamped = std::clamp<std::uint32_t>(us, 1, 0xFFFFFF);
                p[0] = static_cast<std::uint8_t>(clamped >> 16);
                p[1] = static_cast<std::uint8_t>(clamped >> 8);
                p[2] = static_cast<std::uint8_t>(clamped);
            }
        }
    return file;
}

// A scratch corpus the bench deletes again: written plainly, since an fsync per file (what
// write_file_atomically does for real outputs) would be most of the bench's time.
void write_scratch(const std::filesystem::path& path, const midi::MidiFile& file) {
    const std::vector<std::uint8_t> bytes = midi::write_midi(file);
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw FileError(path.string(), "cannot write");
}

std::filesystem::path synthetic_path(const std::filesystem::path& dir, std::size_t i) {
    return dir / fmt::format("{:04}", i / files_per_folder) / fmt::format("piece{:06}.mid", i);
}

double peak_rss_mb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

void run_bench_corpus(const BenchCorpusFlags& flags) {
    const std::vector<std::filesystem::path> sources =
        music::find_midi_files(flags.data.empty() ? demo_corpus_folders() : flags.data);
    std::vector<midi::MidiFile> source_files;
    for (const std::filesystem::path& path : sources) {
        try {
            source_files.push_back(midi::read_midi_file(path));
        } catch (const FileError&) {
            // an unreadable source is left out of the multiplied corpus
        }
    }
    if (source_files.empty()) throw FileError(sources.front().string(), "no readable MIDI file to multiply");

    const std::filesystem::path root = flags.work_dir / fmt::format("pianola-bench-corpus-{}", ::getpid());
    const std::filesystem::path midi_dir = root / "midi";
    const std::filesystem::path cache_dir = root / "cache";
    for (std::size_t folder = 0; folder * files_per_folder < flags.files; ++folder)
        std::filesystem::create_directories(midi_dir / fmt::format("{:04}", folder));
    parallel_for(flags.files, flags.threads, [&](std::size_t i) {
        const std::size_t n = source_files.size();
        try {
            write_scratch(synthetic_path(midi_dir, i), variant_of(source_files[i % n], i / n));
        } catch (const FileError&) {
            // the load below reports the missing file as skipped
        }
    });

    const music::Tokenizer tokenizer = music::default_tokenizer();
    const std::filesystem::path cache_file = music::TokenCache::file_for(cache_dir, {midi_dir}, tokenizer);
    auto load = [&] {
        const auto start = Clock::now();
        const music::TokenCache cache =
            music::TokenCache::update(cache_file, music::find_midi_files({midi_dir}), tokenizer, flags.threads);
        return std::make_tuple(seconds_since(start), cache.last_update(), cache.token_total());
    };
    const auto [cold_seconds, cold, tokens] = load();
    const double cold_peak_rss_mb = peak_rss_mb();
    const auto [warm_seconds, warm, warm_tokens] = load();
    const std::size_t n = source_files.size();
    std::size_t changed = 0;
    for (std::size_t i = 0; i < flags.files; i += 100, ++changed)
        write_scratch(synthetic_path(midi_dir, i), variant_of(source_files[(i + 1) % n], i / n + 1));
    const auto [changed_seconds, after_change, changed_tokens] = load();

    const nlohmann::json line = {{"bench", "corpus"},
                                 {"files", flags.files},
                                 {"source_files", source_files.size()},
                                 {"tokens", tokens},
                                 {"cold_seconds", cold_seconds},
                                 {"warm_seconds", warm_seconds},
                                 {"changed_files", changed},
                                 {"changed_seconds", changed_seconds},
                                 {"tokenized_cold", cold.tokenized},
                                 {"tokenized_warm", warm.tokenized},
                                 {"tokenized_changed", after_change.tokenized},
                                 {"cache_mb", static_cast<double>(std::filesystem::file_size(cache_file)) / 1e6},
                                 {"cold_peak_rss_mb", cold_peak_rss_mb},
                                 {"peak_rss_mb", peak_rss_mb()},
                                 {"threads", worker_count(flags.threads, flags.files)}};
    if (!flags.keep) std::filesystem::remove_all(root);
    fmt::print("{}\n", line.dump());
}

}  // namespace

void add_bench_corpus_command(CLI::App& bench) {
    auto flags = std::make_shared<BenchCorpusFlags>();
    CLI::App* corpus = bench.add_subcommand(
        "corpus", "Loading a large corpus through the token cache: cold, warm and after a few files changed.");
    corpus->add_option("--files", flags->files, "MIDI files to make and load")->check(CLI::Range(1, 10'000'000))
        ->capture_default_str();
    corpus->add_option("--data", flags->data, "Folders (or files) of MIDI to multiply (default: the demo corpus)")
        ->expected(1, -1);
    corpus->add_option("--work-dir", flags->work_dir, "Where the corpus and its cache are made (then deleted)")
        ->check(CLI::ExistingDirectory)->capture_default_str();
    corpus->add_flag("--keep", flags->keep, "Keep the made corpus and its cache");
    corpus->add_option("--threads", flags->threads, "Threads (0: every core)")->check(CLI::Range(0, 1024))
        ->capture_default_str();
    corpus->callback([flags] { run_bench_corpus(*flags); });
}

}  // namespace pianola::app
