// The timed tokenizer and its grammar. Everything is counted in grid steps; ticks appear only
// where a Score is read (rounded to the nearest step) or built (a whole number of ticks per
// step), so tokens -> notes -> tokens is exact. It does not guess meters or tempos the file does
// not state, and it does not clean up music: duplicated notes and long rests are kept as written.
#include "music/TimedTokenizer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "music/Sustain.h"

namespace pianola::music {

namespace {

using Kind = TimedToken::Kind;

using GridNote = TimedTokenizer::GridNote;

constexpr std::string_view bar_text = "bar", pedal_down_text = "pedal:down", pedal_up_text = "pedal:up";

// A non-negative decimal without sign or leading zeros, the whole of `text`.
std::optional<int> parse_count(std::string_view text) {
    if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    int value = 0;
    const auto [rest, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || rest != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

bool is_meter(int numerator, int denominator) {
    return numerator >= 1 && numerator <= 255 && denominator >= 1 && denominator <= 64 &&
           std::has_single_bit(static_cast<unsigned>(denominator));
}

struct Prefix {
    std::string_view text;
    Kind kind;
};
constexpr Prefix prefixes[] = {{"pos:", Kind::position}, {"shift:", Kind::shift}, {"vel:", Kind::velocity},
                               {"prog:", Kind::program}, {"pitch:", Kind::pitch},  {"drum:", Kind::drum},
                               {"dur:", Kind::duration}};

bool is_key(Kind kind) { return kind == Kind::program || kind == Kind::pitch || kind == Kind::drum; }  // 0..127

constexpr std::string_view tempo_text = "tempo:";
constexpr int tempo_bins_per_octave = 16, tempo_middle_bin = 32;  // bin 32 is 120 BPM

double bpm_of_bin(int bin) { return 120.0 * std::exp2(static_cast<double>(bin - tempo_middle_bin) / tempo_bins_per_octave); }

// The whole BPM a tempo token spells. Neighbouring bins are at least 1.3 BPM apart, so no two
// round to one number.
int spelled_bpm(int bin) { return static_cast<int>(std::lround(bpm_of_bin(bin))); }

}  // namespace

std::string_view time_tokens_name(TimeTokens time) { return time == TimeTokens::bars ? "bars" : "shifts"; }

std::optional<TimeTokens> parse_time_tokens(std::string_view name) {
    if (name == "bars") return TimeTokens::bars;
    if (name == "shifts") return TimeTokens::shifts;
    return std::nullopt;
}

std::string_view instruments_name(Instruments instruments) {
    return instruments == Instruments::piano ? "piano" : "all";
}

std::optional<Instruments> parse_instruments(std::string_view name) {
    if (name == "piano") return Instruments::piano;
    if (name == "all") return Instruments::all;
    return std::nullopt;
}

std::optional<TimedToken> parse_timed_token(std::string_view token) {
    if (token == bar_text) return TimedToken{Kind::bar};
    if (token == pedal_down_text || token == pedal_up_text) return TimedToken{Kind::pedal, token == pedal_down_text};
    if (token.starts_with(tempo_text)) {
        const std::string_view value = token.substr(tempo_text.size());
        if (value.starts_with('+') || value.starts_with('-')) {
            const auto bins = parse_count(value.substr(1));
            if (!bins || *bins < 1 || *bins >= TimedTokenizer::tempo_bins) return std::nullopt;
            return TimedToken{Kind::tempo_change, value[0] == '-' ? -*bins : *bins};
        }
        const auto bpm = parse_count(value);
        if (!bpm) return std::nullopt;
        for (int bin = 0; bin < TimedTokenizer::tempo_bins; ++bin)
            if (spelled_bpm(bin) == *bpm) return TimedToken{Kind::tempo, bin};
        return std::nullopt;
    }
    if (token.starts_with("meter:")) {
        const std::string_view meter = token.substr(6);
        const std::size_t slash = meter.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        const auto numerator = parse_count(meter.substr(0, slash)), denominator = parse_count(meter.substr(slash + 1));
        if (!numerator || !denominator || !is_meter(*numerator, *denominator)) return std::nullopt;
        return TimedToken{Kind::meter, *numerator, *denominator};
    }
    for (const Prefix& prefix : prefixes) {
        if (!token.starts_with(prefix.text)) continue;
        const auto value = parse_count(token.substr(prefix.text.size()));
        if (!value || (is_key(prefix.kind) && *value > 127)) return std::nullopt;
        return TimedToken{prefix.kind, *value};
    }
    return std::nullopt;
}

std::string timed_token_text(const TimedToken& token) {
    switch (token.kind) {
    case Kind::bar: return std::string(bar_text);
    case Kind::meter: return "meter:" + std::to_string(token.value) + "/" + std::to_string(token.denominator);
    case Kind::tempo: return std::string(tempo_text) + std::to_string(spelled_bpm(token.value));
    case Kind::tempo_change: return std::string(tempo_text) + (token.value > 0 ? "+" : "-") + std::to_string(std::abs(token.value));
    case Kind::pedal: return std::string(token.value ? pedal_down_text : pedal_up_text);
    default: break;
    }
    for (const Prefix& prefix : prefixes)
        if (prefix.kind == token.kind) return std::string(prefix.text) + std::to_string(token.value);
    throw std::logic_error("timed token of no known kind");
}

TimedTokenizer::TimedTokenizer(TimedOptions options) : options_(options) {
    if (options.steps_per_beat < 1 || options.steps_per_beat > 96)
        throw std::invalid_argument("the timed grid must be 1 to 96 steps per beat, not " +
                                    std::to_string(options.steps_per_beat));
    if (options.velocity_levels < 0 || options.velocity_levels == 1 || options.velocity_levels > 16)
        throw std::invalid_argument("velocity levels must be 0 (none) or 2 to 16, not " +
                                    std::to_string(options.velocity_levels));
    if (options.pedal && options.sustain)
        throw std::invalid_argument("the sustain pedal is read either into durations or as tokens, not both");
}

std::uint32_t TimedTokenizer::tempo_of_bin(int bin) {
    return static_cast<std::uint32_t>(std::lround(60e6 / bpm_of_bin(std::clamp(bin, 0, tempo_bins - 1))));
}

int TimedTokenizer::bin_of_tempo(std::uint32_t tempo_us) {
    const double octaves = std::log2(60e6 / std::max<std::uint32_t>(tempo_us, 1) / 120.0);
    return std::clamp(static_cast<int>(std::lround(octaves * tempo_bins_per_octave)) + tempo_middle_bin, 0, tempo_bins - 1);
}

std::uint32_t TimedTokenizer::ticks_per_step() const {
    return static_cast<std::uint32_t>(std::max(1, 480 / options_.steps_per_beat));
}

std::uint16_t TimedTokenizer::ticks_per_quarter() const {
    return static_cast<std::uint16_t>(options_.steps_per_beat * ticks_per_step());
}

std::int64_t TimedTokenizer::bar_steps(int numerator, int denominator) const {
    const std::int64_t quarters_x2 = 2LL * numerator * 4 * options_.steps_per_beat;
    return std::max<std::int64_t>(1, (quarters_x2 + denominator) / (2LL * denominator));
}

std::uint8_t TimedTokenizer::velocity_of_level(int level) const {
    const int levels = options_.velocity_levels;
    return static_cast<std::uint8_t>(1 + (2 * level + 1) * 127 / (2 * levels));
}

int TimedTokenizer::level_of_velocity(std::uint8_t velocity) const {
    return (std::clamp<int>(velocity, 1, 127) - 1) * options_.velocity_levels / 127;
}

std::vector<std::string> TimedTokenizer::tokenize(const Score& written) const {
    std::optional<Score> heard;  // only with the pedal read: a copy per piece costs a cold corpus load
    if (options_.sustain) heard = sustained(written);
    const Score& score = heard ? *heard : written;
    if (score.ticks_per_quarter == 0) throw std::invalid_argument("a score needs ticks per quarter above 0");
    const std::uint64_t grid = static_cast<std::uint64_t>(options_.steps_per_beat), tpq = score.ticks_per_quarter;
    const auto step_of = [&](std::uint32_t tick) { return static_cast<std::int64_t>((2 * tick * grid + tpq) / (2 * tpq)); };
    for (const Meter& meter : score.meters)
        if (!is_meter(meter.numerator, meter.denominator))
            throw std::invalid_argument("a meter must be n/1 to n/64 with n > 0, not " + std::to_string(meter.numerator) +
                                        "/" + std::to_string(meter.denominator));

    const bool instruments = options_.instruments == Instruments::all;
    std::vector<GridNote> notes;
    for (const Note& note : score.notes) {
        const bool drum = note.channel == drum_channel;
        if (drum && !instruments) continue;
        const std::int64_t onset = step_of(note.start_tick);
        const std::int64_t duration = std::max<std::int64_t>(1, step_of(std::max(note.end_tick, note.start_tick)) - onset);
        if (onset + duration > max_steps())
            throw std::invalid_argument("the piece lasts longer than the " + std::to_string(max_steps() / grid) +
                                        " beats a timed piece can hold");
        notes.push_back({onset, duration, note.pitch, note.velocity, instruments && !drum ? note.program : std::uint8_t{0}, drum});
    }
    // Instrument, pitch, then duration: one spelling per onset, so decoding and tokenizing again is
    // the identity.
    std::stable_sort(notes.begin(), notes.end(), [](const GridNote& a, const GridNote& b) {
        if (a.onset != b.onset) return a.onset < b.onset;
        if (a.drum != b.drum) return b.drum;
        if (a.program != b.program) return a.program < b.program;
        if (a.pitch != b.pitch) return a.pitch < b.pitch;
        return a.duration < b.duration;
    });

    std::vector<std::string> tokens;
    const auto emit = [&](Kind kind, int value, int denominator = 0) {
        tokens.push_back(timed_token_text({kind, value, denominator}));
    };
    int level = -1, program = 0;
    const auto emit_note = [&](const GridNote& note) {
        if (options_.velocity_levels > 0 && level_of_velocity(note.velocity) != level) {
            level = level_of_velocity(note.velocity);
            emit(Kind::velocity, level);
        }
        if (!note.drum && note.program != program) {
            program = note.program;
            emit(Kind::program, program);
        }
        emit(note.drum ? Kind::drum : Kind::pitch, note.pitch);
        emit(Kind::duration, static_cast<int>(note.duration));
    };

    if (notes.empty()) return tokens;

    // The tempo where it changes on the grid of bins, as (step, bin): first the one in force at
    // the first onset, then changes up to the last onset (a change on the step of an earlier one
    // replaces it).
    const std::int64_t first = notes.front().onset, last = notes.back().onset;
    std::vector<std::pair<std::int64_t, int>> tempos;
    if (options_.tempo) {
        tempos.emplace_back(first, bin_of_tempo(score.tempo_us));
        for (const TempoChange& change : score.tempos) {
            const std::int64_t step = std::max(first, step_of(change.tick));
            if (step > last) break;
            if (tempos.back().first == step) tempos.pop_back();
            const int bin = bin_of_tempo(change.us_per_quarter);
            if (tempos.empty() || tempos.back().second != bin) tempos.emplace_back(step, bin);
        }
    }
    // The pedal's tokens as (step, down), from its changes on every pitched channel: down while
    // down on any. On a step, a lift at any moment of it is said, then a press if it ends down.
    std::vector<std::pair<std::int64_t, bool>> pedal;
    if (options_.pedal) {
        std::array<bool, 16> down_on{};
        int channels_down = 0;
        bool before = false, lifted = false;  // the step's: the state it began in, a lift within it
        std::int64_t step = first;
        const auto close_step = [&] {
            if (before && lifted) pedal.emplace_back(step, false);
            if (channels_down > 0 && (!before || lifted)) pedal.emplace_back(step, true);
            before = channels_down > 0;
            lifted = false;
        };
        for (const PedalChange& change : score.pedals) {
            if (change.channel == drum_channel) continue;
            const std::int64_t at = std::max(first, step_of(change.tick));
            if (at > last) break;
            if (at != step) close_step(), step = at;
            bool& on = down_on[change.channel & 15];
            if (on == change.down) continue;
            on = change.down;
            channels_down += on ? 1 : -1;
            lifted |= channels_down == 0;
        }
        close_step();
    }

    Meter meter;  // bars: a meter counts from the first bar line at or after it, so bars always tile the piece
    std::size_t next_meter = 0;
    std::int64_t bar_start = 0, bar_length = 0, position = -1;
    const auto open_bar = [&](bool first) {
        const Meter before = meter;
        for (; next_meter < score.meters.size() && step_of(score.meters[next_meter].tick) <= bar_start; ++next_meter)
            meter = score.meters[next_meter];
        emit(Kind::bar, 0);
        if (first || meter.numerator != before.numerator || meter.denominator != before.denominator)
            emit(Kind::meter, meter.numerator, meter.denominator);
        bar_length = bar_steps(meter.numerator, meter.denominator);
    };
    const bool shifts = options_.time == TimeTokens::shifts;
    std::int64_t now = 0;  // shifts: the last onset
    // The style's time tokens up to `step` (at or after the last one moved to).
    const auto move_to = [&](std::int64_t step) {
        if (shifts) {
            const std::int64_t longest = 4LL * options_.steps_per_beat;
            for (std::int64_t rest = step - now; rest > 0; rest -= longest)
                emit(Kind::shift, static_cast<int>(std::min(rest, longest)));
            now = step;
            return;
        }
        while (step >= bar_start + bar_length) {
            bar_start += bar_length;
            position = -1;
            open_bar(false);
        }
        if (step - bar_start != position) {
            position = step - bar_start;
            emit(Kind::position, static_cast<int>(position));
        }
    };
    if (!shifts) open_bar(true);
    std::size_t next_tempo = 0, next_pedal = 0;
    for (const GridNote& note : notes) {
        // A step's tempo before its pedal, both before its notes.
        while (true) {
            const bool tempo_due = next_tempo < tempos.size() && tempos[next_tempo].first <= note.onset;
            const bool pedal_due = next_pedal < pedal.size() && pedal[next_pedal].first <= note.onset;
            if (tempo_due && (!pedal_due || tempos[next_tempo].first <= pedal[next_pedal].first)) {
                move_to(tempos[next_tempo].first);
                if (next_tempo == 0) emit(Kind::tempo, tempos[0].second);
                else emit(Kind::tempo_change, tempos[next_tempo].second - tempos[next_tempo - 1].second);
                ++next_tempo;
            } else if (pedal_due) {
                move_to(pedal[next_pedal].first);
                emit(Kind::pedal, pedal[next_pedal].second);
                ++next_pedal;
            } else {
                break;
            }
        }
        move_to(note.onset);
        emit_note(note);
    }
    return tokens;
}

std::optional<std::string> TimedTokenizer::transpose(std::string_view token, int semitones) const {
    const std::optional<TimedToken> parsed = parse_timed_token(token);
    if (!parsed) throw std::invalid_argument("not a timed token: \"" + std::string(token) + "\"");
    if (parsed->kind != Kind::pitch) return std::string(token);
    const int moved = parsed->value + semitones;
    if (moved < 0 || moved > 127) return std::nullopt;
    return timed_token_text({Kind::pitch, moved});
}

Score TimedTokenizer::decode(const std::vector<std::string>& tokens, std::uint32_t tempo_us) const {
    TimedDecoder decoder(*this);
    for (const std::string& text : tokens)
        if (const std::optional<TimedToken> token = parse_timed_token(text); token && decoder.accepts(*token))
            decoder.push(*token);
    return decoder.score(tempo_us);
}

TimedDecoder::TimedDecoder(const TimedTokenizer& tokenizer)
    : tokenizer_(tokenizer), bar_length_(tokenizer.bar_steps(4, 4)),
      tempo_slot_(tokenizer.options().time == TimeTokens::shifts), pedal_slot_(tempo_slot_) {}

bool TimedDecoder::accepts(const TimedToken& token) const {
    const TimedOptions& options = tokenizer_.options();
    const bool bars = options.time == TimeTokens::bars;
    const std::int64_t onset = bars ? time_ + position_ : time_;
    if (token.kind == Kind::duration) return pending_pitch_ >= 0 && token.value >= 1 && fits(onset + token.value);
    if (pending_pitch_ >= 0) return false;
    const bool instruments = options.instruments == Instruments::all;
    switch (token.kind) {
    case Kind::drum:
        if (!instruments) return false;
        [[fallthrough]];
    case Kind::pitch: return token.value >= 0 && token.value <= 127 && (!bars || position_ >= 0);
    case Kind::program: return instruments && token.value >= 0 && token.value <= 127;
    case Kind::velocity: return token.value >= 0 && token.value < options.velocity_levels;
    case Kind::tempo:
        return options.tempo && tempo_slot_ && notes_.empty() && !start_tempo_ && token.value >= 0 &&
               token.value < TimedTokenizer::tempo_bins;
    case Kind::tempo_change:
        return options.tempo && tempo_slot_ && !notes_.empty() && token.value != 0 &&
               std::abs(token.value) < TimedTokenizer::tempo_bins;
    case Kind::pedal: return options.pedal && pedal_slot_ && (token.value == 1) != pedal_down_ && (token.value | 1) == 1;
    case Kind::bar: return bars && fits(in_bar_ ? time_ + bar_length_ : 0);
    case Kind::meter: return bars && in_bar_ && position_ < 0 && is_meter(token.value, token.denominator);
    case Kind::position:
        return bars && in_bar_ && token.value > position_ && token.value < bar_length_ && fits(time_ + token.value);
    case Kind::shift:
        return !bars && token.value >= 1 && token.value <= 4 * options.steps_per_beat && fits(time_ + token.value);
    case Kind::duration: break;
    }
    return false;
}

TimedDecoder::Clock TimedDecoder::clock() const {
    const bool bars = tokenizer_.options().time == TimeTokens::bars;
    return {bars_, bars ? time_ + std::max<std::int64_t>(position_, 0) : time_};
}

TimedDecoder::Clock TimedDecoder::clock_after(const TimedToken& token) const {
    switch (token.kind) {
    case Kind::bar: return {bars_ + 1, in_bar_ ? time_ + bar_length_ : 0};
    case Kind::position:
    case Kind::shift: return {bars_, time_ + token.value};
    default: return clock();
    }
}

void TimedDecoder::push(const TimedToken& token) {
    if (!accepts(token)) throw std::invalid_argument("timed token \"" + timed_token_text(token) + "\" does not fit here");
    const bool time = token.kind == Kind::position || token.kind == Kind::shift;
    pedal_slot_ = time || (pedal_slot_ && (token.kind == Kind::tempo || token.kind == Kind::tempo_change)) ||
                  (token.kind == Kind::pedal && token.value == 0);
    tempo_slot_ = time;
    switch (token.kind) {
    case Kind::bar:
        if (in_bar_) time_ += bar_length_;
        in_bar_ = true;
        ++bars_;
        position_ = -1;
        break;
    case Kind::meter: {
        bar_length_ = tokenizer_.bar_steps(token.value, token.denominator);
        const Meter meter{static_cast<std::uint32_t>(time_) * tokenizer_.ticks_per_step(),
                          static_cast<std::uint8_t>(token.value), static_cast<std::uint8_t>(token.denominator)};
        if (!meters_.empty() && meters_.back().tick == meter.tick) meters_.pop_back();
        meters_.push_back(meter);
        break;
    }
    case Kind::position: position_ = token.value; break;
    case Kind::shift: time_ += token.value; break;
    case Kind::velocity: velocity_ = tokenizer_.velocity_of_level(token.value); break;
    case Kind::tempo: start_tempo_ = token.value; break;
    case Kind::tempo_change: tempo_changes_.emplace_back(clock().step, token.value); break;
    case Kind::pedal:
        pedal_down_ = token.value == 1;
        pedal_changes_.emplace_back(clock().step, pedal_down_);
        break;
    case Kind::program: program_ = static_cast<std::uint8_t>(token.value); break;
    case Kind::pitch:
    case Kind::drum:
        pending_pitch_ = token.value;
        pending_drum_ = token.kind == Kind::drum;
        break;
    case Kind::duration: {
        const std::int64_t onset = tokenizer_.options().time == TimeTokens::bars ? time_ + position_ : time_;
        notes_.push_back({onset, token.value, static_cast<std::uint8_t>(pending_pitch_), velocity_,
                          pending_drum_ ? std::uint8_t{0} : program_, pending_drum_});
        pending_pitch_ = -1;
        break;
    }
    }
}

Score TimedDecoder::score(std::uint32_t tempo_us) const {
    if (tempo_us == 0) throw std::invalid_argument("the tempo must be above 0 microseconds per beat");
    Score score;
    score.ticks_per_quarter = tokenizer_.ticks_per_quarter();
    score.tempo_us = start_tempo_ ? TimedTokenizer::tempo_of_bin(*start_tempo_) : tempo_us;
    score.meters = meters_;
    const std::uint32_t ticks_per_step = tokenizer_.ticks_per_step();
    int bin = TimedTokenizer::bin_of_tempo(score.tempo_us);
    for (const auto& [step, change] : tempo_changes_) {
        bin = std::clamp(bin + change, 0, TimedTokenizer::tempo_bins - 1);  // a drawn run may leave the grid
        const std::uint32_t us = TimedTokenizer::tempo_of_bin(bin);
        if (us != (score.tempos.empty() ? score.tempo_us : score.tempos.back().us_per_quarter))
            score.tempos.push_back({static_cast<std::uint32_t>(step) * ticks_per_step, us});
    }
    for (const GridNote& n : notes_) {
        Note note;
        note.start_tick = static_cast<std::uint32_t>(n.onset) * ticks_per_step;
        note.end_tick = static_cast<std::uint32_t>(n.onset + n.duration) * ticks_per_step;
        note.pitch = n.pitch;
        note.velocity = n.velocity;
        note.program = n.program;
        note.channel = n.drum ? drum_channel : 0;
        score.notes.push_back(note);
    }
    std::stable_sort(score.notes.begin(), score.notes.end(), [](const Note& a, const Note& b) {
        return a.start_tick != b.start_tick ? a.start_tick < b.start_tick : a.pitch < b.pitch;
    });
    for (const auto& [step, down] : pedal_changes_)
        score.pedals.push_back({static_cast<std::uint32_t>(step) * ticks_per_step, 0, 0, down});
    if (pedal_down_) {
        std::uint32_t end = 0;
        for (const Note& n : score.notes) end = std::max(end, n.end_tick);
        score.pedals.push_back({std::max(end, score.pedals.back().tick), 0, 0, false});
    }
    time_in_seconds(score);
    return score;
}

}  // namespace pianola::music
