#include "compose/TokenRules.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "eval/KeyEstimate.h"

namespace pianola::compose {

namespace {

// The most notes of the final chord: the triad and two doublings (a melody's last note among them).
constexpr int max_cadence_notes = 5;

}  // namespace

TokenRules::TokenRules(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary) {
    if (vocabulary.contains(music::piece_start_token)) piece_start_ = vocabulary.id(music::piece_start_token);
    const auto* timed = std::get_if<music::TimedTokenizer>(&tokenizer);
    if (!timed) return;
    decoder_.emplace(*timed);
    steps_per_beat_ = timed->options().steps_per_beat;
    bar_tokens_ = timed->options().time == music::TimeTokens::bars;
    for (const std::string& token : vocabulary.tokens()) parsed_.push_back(music::parse_timed_token(token));
}

void TokenRules::forbid(std::span<float> logits) const {
    constexpr float never = -std::numeric_limits<float>::infinity();
    if (piece_start_ >= 0) logits[static_cast<std::size_t>(piece_start_)] = never;
    if (!decoder_) return;
    const int lowest_pitch = begun_ ? chord_top_ + 1 : chord_top_;
    using Kind = music::TimedToken::Kind;
    const bool one_tempo = length_.unit == PieceLength::Unit::seconds;
    const auto opens_note = [](Kind kind) { return kind == Kind::velocity || kind == Kind::program; };
    // Any token but a note's opening open; a note open; a pitch open to an instrument changed here.
    // A logit already at -infinity is the caller's to close (Accompany leaves the tune's register
    // to the tune): what may follow an opening is judged without it.
    bool open = false, note = false, pitch_slot = false;
    for (std::size_t id = 0; id < logits.size(); ++id) {
        const auto& token = parsed_[id];
        const bool fits = logits[id] != never && token &&
                          !((token->kind == Kind::tempo || token->kind == Kind::tempo_change) && one_tempo) &&
                          decoder_->accepts(*token) && (!closing_ || fits_cadence(id));
        pitch_slot |= fits && token->kind == Kind::pitch && drum_top_ < 0;
        if (!fits || out_of_order(id, lowest_pitch)) {
            logits[id] = never;
            continue;
        }
        open |= !opens_note(token->kind);
        note |= token->kind == Kind::pitch || token->kind == Kind::drum;
    }
    // An instrument opens a pitch; a loudness a pitch or a drum.
    bool opening = false;
    for (std::size_t id = 0; id < logits.size(); ++id) {
        const auto& token = parsed_[id];
        if (!token || !opens_note(token->kind) || logits[id] == never) continue;
        if (token->kind == Kind::program ? pitch_slot : note || pitch_slot)
            opening = true;
        else
            logits[id] = never;
    }
    // A position holds a note before time moves on, where one may come (a file has no empty onsets).
    if (empty_onset_ && (note || opening))
        for (std::size_t id = 0; id < logits.size(); ++id)
            if (parsed_[id] && (parsed_[id]->kind == Kind::bar || parsed_[id]->kind == Kind::position)) logits[id] = never;
    open |= opening;
    if (!open) throw std::invalid_argument("no token of the model's vocabulary can continue the piece");
}

bool TokenRules::out_of_order(std::size_t id, int lowest_pitch) const {
    const music::TimedToken& t = *parsed_[id];
    const bool drummed = drum_top_ >= 0;
    // With the ensemble full, whether the instrument is not one of it.
    const auto new_instrument = [&](int instrument) {
        return most_instruments_ > 0 && static_cast<int>(playing_.count()) >= most_instruments_ &&
               !playing_[static_cast<std::size_t>(instrument)];
    };
    using Kind = music::TimedToken::Kind;
    switch (t.kind) {
    case Kind::pitch: return drummed || t.value < lowest_pitch || new_instrument(program_ & 127);
    case Kind::drum:  // a piece of one instrument is a pitched one: drums alone have no notes to hear
        return opened_program_ || (begun_ ? t.value <= drum_top_ : t.value < drum_top_) ||
               new_instrument(music::kit_instrument) || most_instruments_ == 1;
    case Kind::program:
        return opened_program_ || drummed || (onset_program_ >= 0 && t.value < onset_program_) ||
               new_instrument(t.value & 127);
    case Kind::velocity: return opened_velocity_ || opened_program_;
    default: return false;
    }
}

void TokenRules::limit_instruments(int most, std::span<const int> programs, bool drums) {
    most_instruments_ = most;
    for (const int program : programs) playing_.set(static_cast<std::size_t>(program & 127));
    if (drums) playing_.set(music::kit_instrument);
}

void TokenRules::open_onset() {
    chord_top_ = onset_program_ = drum_top_ = -1;
}

void TokenRules::begin(PieceLength length, std::uint32_t tempo_us, bool cadence) {
    const double beats_per_second = 1e6 / tempo_us;
    const double beats = length.unit == PieceLength::Unit::bars ? 4 * length.amount
                         : length.unit == PieceLength::Unit::seconds ? length.amount * beats_per_second
                                                                      : 0;
    if (length.unit == PieceLength::Unit::notes ? length.amount < 1 : beats * steps_per_beat_ < 1)
        throw std::invalid_argument("the piece must be at least one note, bar or step long");
    length_ = length;
    steps_ = beats * steps_per_beat_;
    start_ = decoder_ ? decoder_->clock() : music::TimedDecoder::Clock{};
    start_tokens_ = tokens_;
    start_notes_ = notes();
    begun_ = true;
    cadence_ = cadence && bar_tokens_ && length.unit != PieceLength::Unit::notes;
    // Enough for any real piece (the densest corpus pieces hold under 8 tokens per step), and an
    // end for a model that keeps drawing tokens without moving time or finishing notes.
    budget_ = static_cast<std::int64_t>(std::min(1e9, 32 * (length.unit == PieceLength::Unit::notes ? length.amount : steps_ + 1)));
}

bool TokenRules::ends_at(std::int64_t id) const {
    if (length_.unit == PieceLength::Unit::notes) return false;
    if (!decoder_) return static_cast<double>(tokens_ - start_tokens_) >= steps_;  // seed token k starts at step k
    const music::TimedDecoder::Clock clock = decoder_->clock_after(*parsed_[static_cast<std::size_t>(id)]);
    if (length_.unit == PieceLength::Unit::bars && bar_tokens_) return clock.bars - start_.bars > static_cast<std::int64_t>(length_.amount);
    return static_cast<double>(clock.step - start_.step) >= steps_;
}

bool TokenRules::push(std::int64_t id) {
    if (ends_at(id) || (closing_ && chord_complete() && moves_time(id))) {
        ended_ = true;
        return false;
    }
    ++tokens_;
    if (!decoder_) return true;
    const music::TimedToken& token = *parsed_.at(static_cast<std::size_t>(id));
    decoder_->push(token);
    using Kind = music::TimedToken::Kind;
    switch (token.kind) {
    case Kind::pitch:
        chord_top_ = token.value;
        onset_program_ = program_;
        playing_.set(static_cast<std::size_t>(program_ & 127));
        pitch_counts_[static_cast<std::size_t>(token.value % 12)] += 1;
        break;
    case Kind::drum:
        drum_top_ = token.value;
        playing_.set(music::kit_instrument);
        break;
    case Kind::program:
        if (token.value != onset_program_) chord_top_ = -1;  // another instrument's pitches ascend afresh
        program_ = token.value;
        break;
    case Kind::velocity:
    case Kind::duration: break;
    default: open_onset();  // time moved on
    }
    opened_velocity_ = token.kind == Kind::velocity;
    opened_program_ = token.kind == Kind::program;
    empty_onset_ = token.kind == Kind::position;
    if (cadence_ && !closing_ && token.kind == Kind::bar && opens_last_bar()) open_cadence();
    if (closing_ && token.kind == Kind::position) choose_hold();
    if (closing_ && token.kind == Kind::pitch) lacking_[static_cast<std::size_t>(token.value % 12)] = false;
    if (closing_ && token.kind == Kind::duration &&
        (++cadence_notes_ == max_cadence_notes || !class_above(chord_top_, chord_complete() ? triad_ : lacking_)))
        ended_ = true;
    return true;
}

bool TokenRules::opens_last_bar() const {
    const music::TimedDecoder::Clock clock = decoder_->clock();
    if (length_.unit == PieceLength::Unit::bars) return clock.bars - start_.bars == static_cast<std::int64_t>(length_.amount);
    // In seconds: the bar that reaches the end, as long as the meter in force (a meter token after
    // this bar token may still change it; choose_hold reads the final one).
    const double left = steps_ - static_cast<double>(clock.step - start_.step);
    return left > 0 && left <= static_cast<double>(decoder_->bar_length());
}

void TokenRules::open_cadence() {
    const eval::Key key = eval::estimate_key(pitch_counts_);
    tonic_ = key.tonic;
    triad_ = {};
    for (const int c : key.triad()) triad_[static_cast<std::size_t>(c)] = true;
    lacking_ = triad_;
    bool downbeat = false, tonic = false, duration = false;
    using Kind = music::TimedToken::Kind;
    for (const auto& t : parsed_) {
        if (!t) continue;
        downbeat |= t->kind == Kind::position && t->value == 0;
        tonic |= t->kind == Kind::pitch && t->value % 12 == tonic_;
        duration |= t->kind == Kind::duration;
    }
    closing_ = downbeat && tonic && duration;
    cadence_notes_ = 0;
}

void TokenRules::choose_hold() {
    // The bar's length (its meter is read by now), or what is left of a length in seconds.
    double hold = static_cast<double>(decoder_->bar_length());
    if (length_.unit == PieceLength::Unit::seconds)
        hold = std::min(hold, steps_ - static_cast<double>(decoder_->clock().step - start_.step));
    // The longest duration token within it, else the shortest there is.
    const auto value = [&](std::int64_t id) { return parsed_[static_cast<std::size_t>(id)]->value; };
    std::int64_t longest_within = -1, shortest = -1;
    for (std::size_t i = 0; i < parsed_.size(); ++i) {
        if (!parsed_[i] || parsed_[i]->kind != music::TimedToken::Kind::duration) continue;
        const auto id = static_cast<std::int64_t>(i);
        if (value(id) <= hold && (longest_within < 0 || value(id) > value(longest_within))) longest_within = id;
        if (shortest < 0 || value(id) < value(shortest)) shortest = id;
    }
    hold_id_ = longest_within >= 0 ? longest_within : shortest;
}

bool TokenRules::chord_complete() const {
    return cadence_notes_ > 0 && std::none_of(lacking_.begin(), lacking_.end(), [](bool lacks) { return lacks; });
}

bool TokenRules::moves_time(std::int64_t id) const {
    const auto& t = parsed_[static_cast<std::size_t>(id)];
    using Kind = music::TimedToken::Kind;
    return t && (t->kind == Kind::bar || t->kind == Kind::position || t->kind == Kind::shift);
}

bool TokenRules::class_above(int pitch, const std::array<bool, 12>& classes) const {
    for (const auto& t : parsed_)
        if (t && t->kind == music::TimedToken::Kind::pitch && t->value > pitch && classes[static_cast<std::size_t>(t->value % 12)]) return true;
    return false;
}

bool TokenRules::fits_cadence(std::size_t id) const {
    const music::TimedToken& t = *parsed_[id];
    using Kind = music::TimedToken::Kind;
    const auto c = static_cast<std::size_t>(t.value % 12);
    switch (t.kind) {
    case Kind::bar:
    case Kind::shift: return chord_complete();  // it ends the piece
    case Kind::position: return cadence_notes_ == 0 ? t.value == 0 : chord_complete();
    case Kind::pitch:  // the tonic first, then the classes the chord still lacks, then any of the triad's
        return cadence_notes_ == 0 ? t.value % 12 == tonic_ : chord_complete() ? triad_[c] : lacking_[c];
    case Kind::duration: return static_cast<std::int64_t>(id) == hold_id_;
    case Kind::drum: return false;  // the final chord is the band's, not the kit's
    case Kind::meter:
    case Kind::tempo:
    case Kind::tempo_change:  // a last chord may slow
    case Kind::pedal:
    case Kind::velocity:
    case Kind::program: return true;
    }
    return true;
}

bool TokenRules::done() const {
    if (ended_ || tokens_ - start_tokens_ >= budget_) return true;
    return length_.unit == PieceLength::Unit::notes && notes() - start_notes_ >= static_cast<std::int64_t>(length_.amount);
}

}  // namespace pianola::compose
