// One synthesizer per render, fed from one sorted list of every track's events: at a tick, tracks
// keep their file order and each track its own, as a sequencer plays them. Audio between two
// events is rendered in one call, so a rest costs no more than FluidSynth's silence.
#include "audio/FluidRenderer.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <fluidsynth.h>

#include "audio/Timeline.h"
#include "io/FileError.h"
#include "midi/TempoMap.h"

namespace pianola::audio {

namespace {

constexpr int channel_count = 16;
constexpr int sustain_pedal = 64, sostenuto_pedal = 66;
constexpr float tail_floor = 1e-3f;  // -60 dB

// FluidSynth reports through a process-wide log that prints to stderr. pianola prints one line
// per error itself, so the log is silenced and its last error kept for the exception's message.
thread_local std::string last_fluid_error;

void keep_fluid_error(int level, const char* message, void*) {
    if (level <= FLUID_ERR) last_fluid_error = message;
}

void silence_fluid_log() {
    static std::once_flag once;
    std::call_once(once, [] {
        fluid_set_log_function(FLUID_PANIC, keep_fluid_error, nullptr);
        fluid_set_log_function(FLUID_ERR, keep_fluid_error, nullptr);
        for (int level : {FLUID_WARN, FLUID_INFO, FLUID_DBG}) fluid_set_log_function(level, nullptr, nullptr);
    });
}

struct SettingsDeleter {
    void operator()(fluid_settings_t* s) const { delete_fluid_settings(s); }
};
struct SynthDeleter {
    void operator()(fluid_synth_t* s) const { delete_fluid_synth(s); }
};
using Settings = std::unique_ptr<fluid_settings_t, SettingsDeleter>;
using Synth = std::unique_ptr<fluid_synth_t, SynthDeleter>;

struct Placed {
    std::uint32_t tick;
    const midi::Track* track;
    const midi::Event* event;
};

std::vector<Placed> playable_events(const midi::MidiFile& file) {
    std::vector<Placed> events;
    for (const midi::Track& track : file.tracks)
        for (const midi::Event& e : track.events)
            if (e.is_channel() || e.status == midi::status::sysex) events.push_back({e.tick, &track, &e});
    std::stable_sort(events.begin(), events.end(), [](const Placed& a, const Placed& b) { return a.tick < b.tick; });
    return events;
}

// Return codes are not checked: FluidSynth refuses out-of-range values (a key above 127, which the
// reader keeps as midicsv does) by doing nothing, which is what a player should do with them.
void send(fluid_synth_t* synth, const Placed& placed) {
    const midi::Event& e = *placed.event;
    if (e.status == midi::status::sysex) {
        // FluidSynth wants the bytes between F0 and the closing F7.
        auto payload = placed.track->payload_of(e);
        if (!payload.empty() && payload.back() == 0xF7) payload = payload.first(payload.size() - 1);
        fluid_synth_sysex(synth, reinterpret_cast<const char*>(payload.data()), static_cast<int>(payload.size()),
                          nullptr, nullptr, nullptr, 0);
        return;
    }
    const int ch = e.channel();
    switch (e.kind()) {
        case midi::status::note_off: fluid_synth_noteoff(synth, ch, e.d1); break;
        case midi::status::note_on:  // velocity 0 is a note-off, which FluidSynth knows too
            fluid_synth_noteon(synth, ch, e.d1, e.d2); break;
        case midi::status::poly_pressure: fluid_synth_key_pressure(synth, ch, e.d1, e.d2); break;
        case midi::status::control_change: fluid_synth_cc(synth, ch, e.d1, e.d2); break;
        case midi::status::program_change: fluid_synth_program_change(synth, ch, e.d1); break;
        case midi::status::channel_pressure: fluid_synth_channel_pressure(synth, ch, e.d1); break;
        case midi::status::pitch_bend: fluid_synth_pitch_bend(synth, ch, e.d2 << 7 | e.d1); break;
        default: break;
    }
}

// Stopping a piece lets go of everything, as a player's stop button does, so the tail is a
// release and not a note held by a pedal down at the end of the file.
void release_everything(fluid_synth_t* synth) {
    for (int ch = 0; ch < channel_count; ++ch) {
        fluid_synth_cc(synth, ch, sustain_pedal, 0);
        fluid_synth_cc(synth, ch, sostenuto_pedal, 0);
    }
    fluid_synth_all_notes_off(synth, -1);
}

class Output {
public:
    Output(fluid_synth_t* synth, Audio& audio) : synth_(synth), audio_(audio) {}

    std::size_t frames() const { return audio_.frames(); }

    // Returns the peak of the frames just written.
    float render(std::size_t frames) {
        if (frames == 0) return 0;
        const std::size_t at = audio_.samples.size();
        audio_.samples.resize(at + frames * Audio::channels);
        float* out = audio_.samples.data() + at;
        fluid_synth_write_float(synth_, static_cast<int>(frames), out, 0, 2, out, 1, 2);
        float peak = 0;
        for (std::size_t i = 0; i < frames * Audio::channels; ++i) peak = std::max(peak, std::abs(out[i]));
        loudest_ = std::max(loudest_, peak);
        return peak;
    }
    float loudest() const { return loudest_; }

private:
    fluid_synth_t* synth_;
    Audio& audio_;
    float loudest_ = 0;
};

Synth load_synth(fluid_settings_t* settings, const std::filesystem::path& soundfont) {
    Synth synth(new_fluid_synth(settings));
    if (!synth) throw FileError(soundfont.string(), "FluidSynth could not start: " + last_fluid_error);
    last_fluid_error.clear();
    if (fluid_synth_sfload(synth.get(), soundfont.c_str(), 1) == FLUID_FAILED)
        throw FileError(soundfont.string(), "not a SoundFont FluidSynth can load" +
                                                (last_fluid_error.empty() ? "" : " (" + last_fluid_error + ")"));
    return synth;
}

}  // namespace

Audio render_midi(const midi::MidiFile& file, const std::string& name, const std::filesystem::path& soundfont,
                  const RenderSettings& settings) {
    const midi::TempoMap tempo(file);
    const double end = end_seconds(file, tempo);
    if (end > settings.max_seconds)
        throw FileError(name, "lasts " + std::to_string(std::lround(end / 60)) + " minutes; pianola renders at most " +
                                  std::to_string(std::lround(settings.max_seconds / 60)));

    silence_fluid_log();
    Settings fluid_settings(new_fluid_settings());
    if (fluid_settings_setnum(fluid_settings.get(), "synth.sample-rate", settings.sample_rate) == FLUID_FAILED)
        throw std::invalid_argument("FluidSynth cannot render at " + std::to_string(settings.sample_rate) + " Hz");
    const Synth synth = load_synth(fluid_settings.get(), soundfont);

    Audio audio;
    audio.sample_rate = settings.sample_rate;
    const auto frame_at = [&](double seconds) { return static_cast<std::size_t>(std::llround(seconds * settings.sample_rate)); };
    audio.samples.reserve((frame_at(end) + frame_at(1.0)) * Audio::channels);
    Output output(synth.get(), audio);
    for (const Placed& placed : playable_events(file)) {
        output.render(frame_at(tempo.seconds_at(placed.tick)) - output.frames());
        send(synth.get(), placed);
    }
    output.render(frame_at(end) - output.frames());

    release_everything(synth.get());
    const std::size_t block = std::max<std::size_t>(1, frame_at(0.01));
    const std::size_t tail_end = output.frames() + frame_at(settings.max_tail_seconds);
    while (output.frames() < tail_end) {
        const float peak = output.render(std::min(block, tail_end - output.frames()));
        if (peak <= output.loudest() * tail_floor) break;
    }
    return audio;
}

}  // namespace pianola::audio
