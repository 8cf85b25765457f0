#include "TestFiles.h"

#include <array>
#include <chrono>
#include <random>
#include <thread>

#include "midi/MidiWriter.h"
#include "music/Score.h"

namespace pianola::fixtures {

TempDir::TempDir() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() / ("pianola-test-" + std::to_string(entropy()) + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
}

void add_tempo(midi::Track& track, std::uint32_t tick, std::uint32_t us_per_quarter) {
    const std::array<std::uint8_t, 3> bytes = {static_cast<std::uint8_t>(us_per_quarter >> 16),
                                               static_cast<std::uint8_t>(us_per_quarter >> 8),
                                               static_cast<std::uint8_t>(us_per_quarter)};
    track.add_payload_event(tick, midi::status::meta, midi::meta::tempo, bytes);
}

bool eventually(const std::function<bool()>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!ready()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_melody(const std::filesystem::path& path, const std::vector<std::uint8_t>& pitches) {
    music::Score score;
    score.ticks_per_quarter = 96;
    for (std::size_t i = 0; i < pitches.size(); ++i) {
        music::Note note;
        note.start_tick = static_cast<std::uint32_t>(i * 96);
        note.end_tick = note.start_tick + 90;
        note.pitch = pitches[i];
        score.notes.push_back(note);
    }
    midi::write_midi_file(path, music::midi_from_score(score));
}

std::filesystem::path shared_corpora() {
    const auto dir = std::filesystem::path(PIANOLA_SOURCE_DIR) / ".." / "shared" / "corpora";
    return std::filesystem::is_directory(dir) ? dir : std::filesystem::path();
}

}  // namespace pianola::fixtures
