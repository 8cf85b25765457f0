// Rendering MIDI to WAV: a file written here (a note, a rest, a note) is played through FluidSynth
// and the WAV read back with libsndfile. Skipped where no General MIDI SoundFont is installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <sndfile.h>

#include "TestFiles.h"
#include "audio/FluidRenderer.h"
#include "audio/Level.h"
#include "audio/SoundFont.h"
#include "audio/Timeline.h"
#include "audio/WavFile.h"
#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "midi/TempoMap.h"
#include "music/Score.h"

using namespace pianola;

namespace {

// 120 BPM, 480 ticks a beat: silence, C4 for 0.5-1.0 s, a rest, G4 for 3.0-3.5 s; the file ends at 3.5 s.
midi::MidiFile note_rest_note() {
    music::Score score;
    score.ticks_per_quarter = 480;
    score.notes.push_back({.start_tick = 480, .end_tick = 960, .pitch = 60, .velocity = 100});
    score.notes.push_back({.start_tick = 2880, .end_tick = 3360, .pitch = 67, .velocity = 100});
    return music::midi_from_score(score);
}

struct Wav {
    SF_INFO info{};
    std::vector<float> samples;

    double seconds() const { return static_cast<double>(info.frames) / info.samplerate; }
    float peak(double from_s, double to_s) const {
        const auto at = [&](double s) {
            return std::min(samples.size(), static_cast<std::size_t>(s * info.samplerate) * info.channels);
        };
        float loudest = 0;
        for (std::size_t i = at(from_s); i < at(to_s); ++i) loudest = std::max(loudest, std::abs(samples[i]));
        return loudest;
    }
};

Wav read_wav(const std::filesystem::path& path) {
    Wav wav;
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &wav.info);
    EXPECT_NE(file, nullptr) << sf_strerror(nullptr);
    if (!file) return wav;
    wav.samples.resize(static_cast<std::size_t>(wav.info.frames * wav.info.channels));
    sf_readf_float(file, wav.samples.data(), wav.info.frames);
    sf_close(file);
    return wav;
}

class AudioRender : public ::testing::Test {
protected:
    void SetUp() override {
        try {
            soundfont_ = audio::find_soundfont();
        } catch (const FileError& e) {
            GTEST_SKIP() << e.what();
        }
    }

    // Renders, levels and writes the fixture as `pianola render` does, and reads the WAV back.
    Wav render(const midi::MidiFile& file, int sample_rate, double gain_db) {
        audio::Audio sound = audio::render_midi(file, "fixture.mid", soundfont_, {.sample_rate = sample_rate});
        audio::set_level(sound, gain_db);
        audio::write_wav(dir_ / "out.wav", sound);
        return read_wav(dir_ / "out.wav");
    }

    fixtures::TempDir dir_;
    std::filesystem::path soundfont_;
};

}  // namespace

TEST_F(AudioRender, WritesA16BitStereoWavAtTheAskedRate) {
    const Wav wav = render(note_rest_note(), 22050, 0);
    EXPECT_EQ(wav.info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    EXPECT_EQ(wav.info.samplerate, 22050);
    EXPECT_EQ(wav.info.channels, 2);
    const std::vector<std::uint8_t> bytes = read_file(dir_ / "out.wav");
    ASSERT_GE(bytes.size(), 44u);
    EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "RIFF");
    EXPECT_EQ(std::string(bytes.begin() + 8, bytes.begin() + 12), "WAVE");
    EXPECT_EQ(bytes.size(), 44u + static_cast<std::size_t>(wav.info.frames) * 4);
}

TEST_F(AudioRender, LastsAsLongAsTheMidiFilePlusTheReleaseTail) {
    const midi::MidiFile file = note_rest_note();
    const double music = audio::end_seconds(file, midi::TempoMap(file));
    ASSERT_DOUBLE_EQ(music, 3.5);
    const Wav wav = render(file, 44100, 0);
    EXPECT_GT(wav.seconds(), music + 0.1) << "the last note's release is cut";
    EXPECT_LE(wav.seconds(), music + audio::RenderSettings{}.max_tail_seconds);
    // The tail stops once the sound has died away, long before the limit for a piano note.
    EXPECT_LT(wav.seconds(), music + 3.0);
    EXPECT_LT(wav.peak(wav.seconds() - 0.01, wav.seconds()), 0.01 * wav.peak(0, wav.seconds()));
}

TEST_F(AudioRender, SoundsWhereNotesAreAndIsSilentInTheRest) {
    const Wav wav = render(note_rest_note(), 44100, 0);
    EXPECT_LT(wav.peak(0.0, 0.495), 0.001) << "nothing before the first note";
    EXPECT_GT(wav.peak(0.55, 0.95), 0.02);
    EXPECT_GT(wav.peak(3.05, 3.45), 0.02);
    EXPECT_LT(wav.peak(2.5, 2.95), 0.001) << "-60 dBFS in the rest, after the first note's release";
}

TEST_F(AudioRender, NeverClipsEvenAtAHighGain) {
    const Wav loud = render(note_rest_note(), 44100, 40);
    const float peak = loud.peak(0, loud.seconds());
    EXPECT_LT(peak, 1.0f);
    EXPECT_NEAR(audio::to_dbfs(peak), audio::ceiling_dbfs, 0.05);
    // Scaled down as a whole: the rest stays as quiet relative to the notes as before.
    EXPECT_LT(loud.peak(2.5, 2.95), 0.01 * peak);
}

TEST_F(AudioRender, RefusesAFileThatIsNoSoundFontNamingIt) {
    write_file_atomically(dir_ / "fake.sf2", std::string_view("RIFF not really"));
    try {
        audio::render_midi(note_rest_note(), "fixture.mid", dir_ / "fake.sf2");
        FAIL() << "rendered with a fake SoundFont";
    } catch (const FileError& e) {
        EXPECT_EQ(e.file(), (dir_ / "fake.sf2").string());
    }
    EXPECT_THROW(audio::find_soundfont(dir_ / "missing.sf2"), FileError);
}

TEST(Level, LeavesQuietAudioAloneAndScalesLoudAudioToTheCeiling) {
    audio::Audio quiet;
    quiet.samples = {0.25f, -0.5f, 0.1f, 0.0f};
    const audio::LevelReport untouched = audio::set_level(quiet, 0);
    EXPECT_EQ(quiet.samples, (std::vector<float>{0.25f, -0.5f, 0.1f, 0.0f}));
    EXPECT_EQ(untouched.reduced_by_db, 0);

    audio::Audio loud;
    loud.samples = {0.25f, -2.0f, 1.5f, 0.0f};
    const audio::LevelReport reduced = audio::set_level(loud, 0);
    EXPECT_NEAR(audio::peak(loud), std::pow(10.0, audio::ceiling_dbfs / 20), 1e-6);
    EXPECT_NEAR(loud.samples[2] / loud.samples[1], -0.75, 1e-6) << "one factor for the whole piece";
    EXPECT_NEAR(reduced.reduced_by_db, 20 * std::log10(2.0) - audio::ceiling_dbfs, 1e-4);
}
