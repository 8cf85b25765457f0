// Drawn back to front: key rows, bar lines, notes, then the frame and the labels around it. Only
// the notes and the legend's swatches carry colour.
#include "audio/PianoRoll.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>

#include <cairo.h>
#include <fmt/core.h>

#include "audio/Timeline.h"
#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "midi/TempoMap.h"
#include "music/PitchSpelling.h"
#include "music/Sustain.h"

namespace pianola::audio {

namespace {

constexpr double margin_left = 44, margin_right = 14, margin_top = 30, margin_bottom = 26;
constexpr double font_size = 12;
constexpr double min_bar_spacing = 6, min_label_spacing = 40;  // pixels

struct Rgb {
    double r, g, b;
};

// Tableau 10: distinct hues that stay apart when paled for soft notes.
constexpr std::array<Rgb, 10> track_colours = {{{0.122, 0.467, 0.706}, {1.000, 0.498, 0.055}, {0.173, 0.627, 0.173},
                                                {0.839, 0.153, 0.157}, {0.580, 0.404, 0.741}, {0.549, 0.337, 0.294},
                                                {0.890, 0.467, 0.761}, {0.498, 0.498, 0.498}, {0.737, 0.741, 0.133},
                                                {0.090, 0.745, 0.812}}};

// Grey 7 of Tableau 10 would read as a grid line; a track landing on it gets a darker slate.
Rgb track_colour(std::size_t index) {
    const Rgb c = track_colours[index % track_colours.size()];
    return c.r == c.g && c.g == c.b ? Rgb{0.25, 0.35, 0.45} : c;
}

// Soft notes fade toward white, so loudness reads without a legend; even velocity 1 keeps a tint.
Rgb shade(Rgb c, std::uint8_t velocity) {
    const double depth = 0.3 + 0.7 * std::min<int>(velocity, 127) / 127.0;
    return {1 - depth * (1 - c.r), 1 - depth * (1 - c.g), 1 - depth * (1 - c.b)};
}

bool is_black_key(int pitch) {
    constexpr std::array<bool, 12> black = {false, true, false, true, false, false, true, false, true, false, true, false};
    return black[static_cast<std::size_t>(pitch % 12)];
}

// cairo's text API wants valid UTF-8 and puts the whole context in an error state otherwise;
// track names are whatever bytes a file holds, so only printable ASCII is kept.
std::string printable(std::string_view text, std::size_t max_length) {
    std::string out;
    for (char c : text.substr(0, max_length)) out += (c >= 0x20 && c < 0x7F) ? c : '?';
    return out;
}

std::string track_name(const midi::MidiFile& file, std::size_t track) {
    const midi::Track& t = file.tracks[track];
    for (const midi::Event& e : t.events)
        if (e.is_meta(midi::meta::track_name) && e.payload_size > 0) {
            const auto p = t.payload_of(e);
            return printable(std::string_view(reinterpret_cast<const char*>(p.data()), p.size()), 24);
        }
    return "track " + std::to_string(track + 1);
}

std::string minutes_and_seconds(double seconds) {
    const long whole = std::lround(seconds);
    return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

// Powers of two, so every labelled bar is also a drawn one.
int every_nth(double spacing, double wanted) {
    int n = 1;
    while (spacing * n < wanted && n < (1 << 24)) n *= 2;
    return n;
}

struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

class Painter {
public:
    Painter(cairo_t* cr) : cr_(cr) {
        cairo_select_font_face(cr_, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr_, font_size);
    }
    void colour(Rgb c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }
    void grey(double level) { cairo_set_source_rgb(cr_, level, level, level); }
    void fill(double x, double y, double w, double h) {
        cairo_rectangle(cr_, x, y, w, h);
        cairo_fill(cr_);
    }
    // Lines on pixel centres stay one pixel wide instead of blurring over two.
    void vertical(double x, double y0, double y1) {
        cairo_move_to(cr_, std::round(x) + 0.5, y0);
        cairo_line_to(cr_, std::round(x) + 0.5, y1);
        cairo_stroke(cr_);
    }
    void horizontal(double y, double x0, double x1) {
        cairo_move_to(cr_, x0, std::round(y) + 0.5);
        cairo_line_to(cr_, x1, std::round(y) + 0.5);
        cairo_stroke(cr_);
    }
    double text_width(const std::string& text) {
        cairo_text_extents_t extents;
        cairo_text_extents(cr_, text.c_str(), &extents);
        return extents.x_advance;
    }
    // `align` 0 puts the text's start at x, 0.5 its middle, 1 its end; y is the baseline.
    void text(const std::string& text, double x, double y, double align = 0) {
        cairo_move_to(cr_, x - align * text_width(text), y);
        cairo_show_text(cr_, text.c_str());
    }

private:
    cairo_t* cr_;
};

void draw_rows(Painter& p, const PianoRollLayout& l) {
    for (int pitch = l.low_pitch; pitch <= l.high_pitch; ++pitch) {
        if (!is_black_key(pitch)) continue;
        p.grey(0.93);
        p.fill(l.left, l.row_top(pitch), l.right - l.left, l.row_height());
    }
    for (int c = l.low_pitch; c <= l.high_pitch; c += 12) {
        p.grey(0.65);
        p.horizontal(l.row_top(c) + l.row_height(), l.left, l.right);
        p.grey(0.2);
        p.text(music::pitch_name(static_cast<std::uint8_t>(std::min(c, 127))), l.left - 6,
               l.row_top(c) + l.row_height() / 2 + font_size / 3, 1);
    }
}

void draw_bars(Painter& p, const PianoRollLayout& l, const std::vector<BarLine>& bars) {
    if (bars.empty()) return;
    const double spacing = bars.size() > 1 ? (l.x(bars.back().seconds) - l.x(bars.front().seconds)) / (bars.size() - 1)
                                           : l.right - l.left;
    const int line_step = every_nth(spacing, min_bar_spacing);
    const int label_step = std::max(line_step, every_nth(spacing, min_label_spacing));
    for (const BarLine& bar : bars) {
        if ((bar.number - 1) % line_step != 0) continue;
        const bool labelled = (bar.number - 1) % label_step == 0;
        p.grey(labelled ? 0.7 : 0.85);
        p.vertical(l.x(bar.seconds), l.top, l.bottom);
        if (labelled) {
            p.grey(0.2);
            p.text(std::to_string(bar.number), l.x(bar.seconds), l.bottom + font_size + 3, 0.5);
        }
    }
}

// heard: the same notes as music::sustained gives them (index for index), their ends where they stop
// ringing: a note the pedal holds past its key's release trails a thin, paler line to there.
void draw_notes(Painter& p, const PianoRollLayout& l, const music::Score& score, const music::Score& heard,
                const std::map<std::uint16_t, Rgb>& colours) {
    const double row = l.row_height();
    const double gap = row >= 4 ? 1 : 0;  // keeps neighbouring pitches apart when there is room
    for (std::size_t i = 0; i < score.notes.size(); ++i) {
        const music::Note& note = score.notes[i];
        if (heard.notes[i].end_s <= note.end_s) continue;
        p.colour(shade(colours.at(note.track), 1));
        p.fill(l.x(note.end_s), l.row_top(note.pitch) + row / 3, l.x(heard.notes[i].end_s) - l.x(note.end_s), std::max(row / 3, 1.0));
    }
    for (const music::Note& note : score.notes) {
        const double x0 = l.x(note.start_s);
        double width = std::max(l.x(note.end_s) - x0, 2.0);
        if (width > 4) width -= 1;  // a re-struck pitch shows as two notes, not one long one
        p.colour(shade(colours.at(note.track), note.velocity));
        p.fill(x0, l.row_top(note.pitch) + gap, width, row - gap);
    }
}

void draw_header(Painter& p, const PianoRollLayout& l, const std::string& title, const midi::MidiFile& file,
                 const std::map<std::uint16_t, Rgb>& colours) {
    const double baseline = margin_top - 10;
    p.grey(0.1);
    p.text(title + "  " + minutes_and_seconds(l.seconds), l.left, baseline);
    // The legend runs leftward from the right edge and stops before it would cover the title.
    double x = l.right;
    const double title_end = l.left + p.text_width(title + "  " + minutes_and_seconds(l.seconds)) + 20;
    for (auto it = colours.rbegin(); it != colours.rend(); ++it) {
        const std::string name = track_name(file, it->first);
        const double width = font_size + 4 + p.text_width(name) + 14;
        if (x - width < title_end) break;
        x -= width;
        p.colour(it->second);
        p.fill(x, baseline - font_size + 2, font_size - 2, font_size - 2);
        p.grey(0.2);
        p.text(name, x + font_size + 2, baseline);
    }
}

}  // namespace

PianoRollLayout layout_piano_roll(const music::Score& score, double seconds, PianoRollSize size) {
    PianoRollLayout l;
    l.left = margin_left;
    l.top = margin_top;
    l.right = size.width - margin_right;
    l.bottom = size.height - margin_bottom;
    l.seconds = seconds;
    for (const music::Note& note : score.notes) l.seconds = std::max(l.seconds, note.end_s);
    if (l.seconds <= 0) l.seconds = 1;
    if (!score.notes.empty()) {
        const auto [low, high] = std::minmax_element(score.notes.begin(), score.notes.end(),
                                                     [](const music::Note& a, const music::Note& b) { return a.pitch < b.pitch; });
        l.low_pitch = low->pitch / 12 * 12;
        l.high_pitch = high->pitch / 12 * 12 + 11;
    }
    // One octave alone would make rows as tall as a finger; two read as a keyboard.
    if (l.high_pitch - l.low_pitch < 23) {
        if (l.low_pitch >= 12)
            l.low_pitch -= 12;
        else
            l.high_pitch += 12;
    }
    return l;
}

PianoRollPicture draw_piano_roll(const midi::MidiFile& file, const std::string& title, PianoRollSize size) {
    const music::Score score = music::score_from_midi(file), heard = music::sustained(score);
    const midi::TempoMap tempo(file);
    const PianoRollLayout layout = layout_piano_roll(heard, end_seconds(file, tempo), size);
    std::map<std::uint16_t, Rgb> colours;
    for (const music::Note& note : score.notes) colours.emplace(note.track, Rgb{});
    std::size_t index = 0;
    for (auto& [track, colour] : colours) colour = track_colour(index++);

    const std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, size.width, size.height));
    const std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
    Painter p(cr.get());
    cairo_set_line_width(cr.get(), 1);
    p.grey(1);
    cairo_paint(cr.get());
    draw_rows(p, layout);
    draw_bars(p, layout, bar_lines(file, tempo, score.ticks_per_quarter));
    draw_notes(p, layout, score, heard, colours);
    p.grey(0.4);
    cairo_rectangle(cr.get(), layout.left - 0.5, layout.top - 0.5, layout.right - layout.left + 1,
                    layout.bottom - layout.top + 1);
    cairo_stroke(cr.get());
    draw_header(p, layout, title, file, colours);

    std::vector<std::uint8_t> png;
    const auto append = [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::vector<std::uint8_t>*>(closure)->insert(static_cast<std::vector<std::uint8_t>*>(closure)->end(),
                                                                 data, data + length);
        return CAIRO_STATUS_SUCCESS;
    };
    cairo_status_t status = cairo_status(cr.get());
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_write_to_png_stream(surface.get(), append, &png);
    if (status != CAIRO_STATUS_SUCCESS)
        throw FileError(title, std::string("cannot draw the piano roll: ") + cairo_status_to_string(status));
    return {png, layout};
}

PianoRollLayout write_piano_roll(const midi::MidiFile& file, const std::string& title,
                                 const std::filesystem::path& path, PianoRollSize size) {
    const PianoRollPicture picture = draw_piano_roll(file, title, size);
    write_file_atomically(path, picture.png);
    return picture.layout;
}

}  // namespace pianola::audio
