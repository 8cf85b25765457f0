// The piano roll of a file written here: the PNG is read back with cairo and its pixels checked
// against the notes, through the layout the drawing uses.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include <cairo.h>

#include "TestFiles.h"
#include "audio/PianoRoll.h"
#include "audio/Timeline.h"
#include "io/AtomicFile.h"
#include "midi/TempoMap.h"

using namespace pianola;

namespace {

constexpr std::uint32_t beat = 480;  // ticks; 0.5 s at 120 BPM

// Track 0: the tempo; track 1: a loud C4, a soft E4, a loud C5; track 2: a loud C3 after a rest
// of two beats. The file ends with the C3 at 3.0 s.
midi::MidiFile two_tracks() {
    midi::MidiFile file;
    file.division = beat;
    midi::Track& meta = file.tracks.emplace_back();
    const std::array<std::uint8_t, 3> tempo = {0x07, 0xA1, 0x20};
    meta.add_payload_event(0, midi::status::meta, midi::meta::tempo, tempo);
    meta.add_payload_event(0, midi::status::meta, midi::meta::end_of_track, {});
    auto note = [](midi::Track& t, std::uint32_t from, std::uint32_t to, std::uint8_t channel, std::uint8_t pitch,
                   std::uint8_t velocity) {
        t.add_channel_event(from, midi::status::note_on | channel, pitch, velocity);
        t.add_channel_event(to, midi::status::note_off | channel, pitch, 0);
    };
    midi::Track& piano = file.tracks.emplace_back();
    note(piano, 0, beat, 0, 60, 110);
    note(piano, beat, 2 * beat, 0, 64, 20);
    note(piano, 2 * beat, 3 * beat, 0, 72, 110);
    piano.add_payload_event(3 * beat, midi::status::meta, midi::meta::end_of_track, {});
    midi::Track& bass = file.tracks.emplace_back();
    note(bass, 5 * beat, 6 * beat, 1, 48, 110);
    bass.add_payload_event(6 * beat, midi::status::meta, midi::meta::end_of_track, {});
    return file;
}

struct Pixel {
    int r, g, b;
    int saturation() const { return std::max({r, g, b}) - std::min({r, g, b}); }
    int lightness() const { return r + g + b; }
};

struct Picture {
    std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)> surface{nullptr, cairo_surface_destroy};

    int width() const { return cairo_image_surface_get_width(surface.get()); }
    int height() const { return cairo_image_surface_get_height(surface.get()); }
    Pixel at(double x, double y) const {
        const unsigned char* row = cairo_image_surface_get_data(surface.get()) +
                                   static_cast<int>(y) * cairo_image_surface_get_stride(surface.get());
        std::uint32_t argb;
        std::memcpy(&argb, row + static_cast<int>(x) * 4, 4);
        return {static_cast<int>(argb >> 16 & 0xFF), static_cast<int>(argb >> 8 & 0xFF), static_cast<int>(argb & 0xFF)};
    }
};

Picture read_png(const std::filesystem::path& path) {
    Picture picture;
    picture.surface.reset(cairo_image_surface_create_from_png(path.c_str()));
    EXPECT_EQ(cairo_surface_status(picture.surface.get()), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(picture.surface.get());
    return picture;
}

struct Drawn {
    fixtures::TempDir dir;
    midi::MidiFile file = two_tracks();
    music::Score score = music::score_from_midi(file);
    audio::PianoRollLayout layout;
    Picture picture;

    explicit Drawn(audio::PianoRollSize size) {
        audio::write_piano_roll(file, "two tracks", dir / "roll.png", size);
        layout = audio::layout_piano_roll(score, audio::end_seconds(file, midi::TempoMap(file)), size);
        picture = read_png(dir / "roll.png");
    }
    Pixel centre_of(const music::Note& note) const {
        return picture.at((layout.x(note.start_s) + layout.x(note.end_s)) / 2,
                          layout.row_top(note.pitch) + layout.row_height() / 2);
    }
    // Within a pixel of a note's rectangle (edges are antialiased).
    bool on_a_note(int x, int y) const {
        for (const music::Note& n : score.notes)
            if (x >= layout.x(n.start_s) - 1 && x <= layout.x(n.end_s) + 1 && y >= layout.row_top(n.pitch) - 1 &&
                y <= layout.row_top(n.pitch) + layout.row_height() + 1)
                return true;
        return false;
    }
};

constexpr int coloured = 40;  // saturation out of 255: grey lines and labels have none

}  // namespace

TEST(PianoRoll, IsAPngOfTheAskedSize) {
    const Drawn drawn({800, 500});
    EXPECT_EQ(drawn.picture.width(), 800);
    EXPECT_EQ(drawn.picture.height(), 500);
    const std::vector<std::uint8_t> bytes = read_file(drawn.dir / "roll.png");
    ASSERT_GE(bytes.size(), 8u);
    EXPECT_EQ(std::string(bytes.begin() + 1, bytes.begin() + 4), "PNG");
}

TEST(PianoRoll, SpansTheFileInTimeAndWholeOctavesInPitch) {
    const Drawn drawn({800, 500});
    EXPECT_DOUBLE_EQ(drawn.layout.seconds, 3.0);
    EXPECT_EQ(drawn.layout.low_pitch, 48);   // C3
    EXPECT_EQ(drawn.layout.high_pitch, 83);  // B5
}

TEST(PianoRoll, ColoursEveryNoteByTrackAndShadesItByVelocity) {
    const Drawn drawn({800, 500});
    const auto& notes = drawn.score.notes;  // by onset: C4, E4, C5, C3
    ASSERT_EQ(notes.size(), 4u);
    for (const music::Note& n : notes) EXPECT_GT(drawn.centre_of(n).saturation(), coloured) << int(n.pitch);
    const Pixel loud = drawn.centre_of(notes[0]), soft = drawn.centre_of(notes[1]), bass = drawn.centre_of(notes[3]);
    EXPECT_GT(soft.lightness(), loud.lightness() + 100) << "a soft note is a paler shade";
    const Pixel same_track = drawn.centre_of(notes[2]);
    EXPECT_EQ(same_track.r, loud.r);
    EXPECT_EQ(same_track.g, loud.g);
    EXPECT_EQ(same_track.b, loud.b);
    EXPECT_GT(std::abs(bass.r - loud.r) + std::abs(bass.g - loud.g) + std::abs(bass.b - loud.b), 100)
        << "another track, another colour";
}

TEST(PianoRoll, HasNoColourInThePlotWhereThereAreNoNotes) {
    const Drawn drawn({800, 500});
    int coloured_pixels = 0;
    for (int y = static_cast<int>(drawn.layout.top); y < drawn.layout.bottom; ++y)
        for (int x = static_cast<int>(drawn.layout.left); x < drawn.layout.right; ++x) {
            if (drawn.picture.at(x, y).saturation() <= coloured) continue;
            ++coloured_pixels;
            ASSERT_TRUE(drawn.on_a_note(x, y)) << "colour at " << x << "," << y;
        }
    EXPECT_GT(coloured_pixels, 100);
}

// A note the pedal holds after its key's release trails a thin, pale line of its colour while it
// rings; the row above and below the line stays clear, and the axis runs to the pedal's lift.
TEST(PianoRoll, DrawsANoteRingingUnderThePedalAsAPaleTrail) {
    midi::MidiFile file;
    file.division = beat;
    midi::Track& piano = file.tracks.emplace_back();
    piano.add_channel_event(0, midi::status::control_change, 64, 127);
    piano.add_channel_event(0, midi::status::note_on, 60, 110);
    piano.add_channel_event(beat, midi::status::note_off, 60, 0);
    piano.add_channel_event(0, midi::status::note_on, 67, 110);  // the pedal holds it too, past its key's release
    piano.add_channel_event(beat, midi::status::note_off, 67, 0);
    piano.add_channel_event(4 * beat, midi::status::control_change, 64, 0);
    piano.add_payload_event(4 * beat, midi::status::meta, midi::meta::end_of_track, {});
    std::stable_sort(piano.events.begin(), piano.events.end(),
                     [](const midi::Event& a, const midi::Event& b) { return a.tick < b.tick; });
    fixtures::TempDir dir;
    const audio::PianoRollLayout l = audio::write_piano_roll(file, "pedalled", dir / "roll.png", {800, 500});
    const Picture picture = read_png(dir / "roll.png");
    EXPECT_DOUBLE_EQ(l.seconds, 2.0);  // 4 beats at 120 BPM: the lift
    const double middle = l.row_top(60) + l.row_height() / 2;
    const Pixel body = picture.at(l.x(0.25), middle), trail = picture.at(l.x(1.25), middle);
    EXPECT_GT(body.saturation(), coloured);
    EXPECT_GT(trail.saturation(), coloured) << "the ringing is drawn";
    EXPECT_GT(trail.lightness(), body.lightness() + 100) << "paler than the note";
    EXPECT_LE(picture.at(l.x(1.25), l.row_top(60) + 1).saturation(), coloured) << "thin: the row's edge stays clear";
    EXPECT_LE(picture.at(l.x(1.25), l.row_top(62) + l.row_height() / 2).saturation(), coloured);
}
