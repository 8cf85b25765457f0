// TokenRules: what generation may sample next under a model's tokenizer, how far a piece has got,
// and when it has its length. Seed tokens: any token but the piece start, each one note or chord
// (as the original design counted) half a beat long. Timed tokens: only what music::TimedDecoder
// accepts at this point of the piece, so a composed sequence is always well formed (no duration
// without a pitch, no time going backwards), and a note counts when its duration is drawn. The
// notes of one onset come in the tokenizer's order: the pitched instruments by ascending program,
// each one's pitches ascending, then the drums by ascending key; a composed note never repeats the
// one below it on its instrument: one key is not struck twice at once (a primer's may, as its MIDI
// file did). A loudness or instrument token opens a note, as the tokenizer writes them: only where
// a note may follow and at most once before each, loudness first (a model with such tokens drew
// them one after another, never a note, until its budget ended); an instrument only where a
// pitch may follow. A position holds a note (or a pedal or tempo change) before the next position
// or bar, where a note may come, as a file's onsets do. A token that says the loudness
// or instrument in force again, which the tokenizer never writes, is left to the model: barring it
// put the Debian corpus' pieces further from the held-out ones (README).
// A length counts from begin() on, so a primer's tokens pushed before it are not part of it. A
// piece in seconds draws no tempo tokens: it keeps the tempo its length was counted at.
// A piece in bars or seconds (timed tokens with bar tokens) can end on a cadence: its last bar
// opens with the tonic triad of the piece's key so far (eval::estimate_key), root lowest, each of
// its three pitch classes, then up to two more of them above (a melody's last note), held for the
// bar (or to the end of a length in seconds), and the piece ends there; the model chooses the
// voicing and, once the triad is whole, when the chord is done (a time token ends the piece). A
// vocabulary without a downbeat or the tonic skips it.
// A band's piece may be held to a number of instruments (the drum kit one of them): once it has
// played that many, it plays only those; a piece held to one plays no drums.
// It does not sample or judge musical quality; TokenSampler, CopyGuard and the model do.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "music/Ensemble.h"
#include "music/Tokenizer.h"
#include "music/Vocabulary.h"

namespace pianola::compose {

// How long a piece is: notes, bars (4/4 bars for time-shift tokens and seed tokens) or seconds.
struct PieceLength {
    enum class Unit : std::uint8_t { notes, bars, seconds };
    Unit unit = Unit::notes;
    double amount = 500;
};

class TokenRules {
public:
    TokenRules(const music::Tokenizer& tokenizer, const music::Vocabulary& vocabulary);

    // Sets the logit of every id that may not come next to -infinity. logits: one per vocabulary
    // id; those already at -infinity (the caller's) count as closed when judging whether a note
    // may follow a loudness or instrument token, or a position. Throws std::invalid_argument when
    // no id may come next (a vocabulary that cannot go on).
    void forbid(std::span<float> logits) const;
    // An id forbid() left open. Returns false, and takes nothing, where the id would move time to
    // or past the end of a length in bars or seconds, or on from a whole final chord: the piece is then done.
    bool push(std::int64_t id);
    // Must come before the first sample. From here on, the piece is `length` long, at `tempo_us` per beat (seconds only). Throws
    // std::invalid_argument for an amount below one note, bar or beat's worth.
    // cadence: end on the tonic chord (above), for lengths in bars or seconds.
    void begin(PieceLength length, std::uint32_t tempo_us, bool cadence = false);
    bool done() const;
    // At most `most` instruments in the piece, primer included (0: any); `programs` and the kit
    // (`drums`) count as played from the start (an accompanied tune's).
    void limit_instruments(int most, std::span<const int> programs = {}, bool drums = false);
    std::int64_t notes() const { return decoder_ ? static_cast<std::int64_t>(decoder_->notes()) : tokens_; }

private:
    bool ends_at(std::int64_t id) const;
    // The bar token just read opens the last bar of the length.
    bool opens_last_bar() const;
    // At the last bar's opening: the triad to end on, or no cadence where the vocabulary cannot play one.
    void open_cadence();
    // At the last bar's downbeat: the duration token that holds the chord to the bar's end.
    void choose_hold();
    // In the cadence: whether token `id` (which the decoder accepts) may come next.
    bool fits_cadence(std::size_t id) const;
    // The final chord holds each of the triad's classes.
    bool chord_complete() const;
    bool moves_time(std::int64_t id) const;  // a bar, position or shift token
    // Some pitch token above `pitch` is of one of `classes`.
    bool class_above(int pitch, const std::array<bool, 12>& classes) const;
    // Whether token `id` (which the decoder accepts) breaks the order of an onset's notes: pitches
    // are barred below `lowest_pitch`.
    bool out_of_order(std::size_t id, int lowest_pitch) const;
    // A time, meter, tempo or pedal token: the next notes open a new onset.
    void open_onset();

    std::optional<music::TimedDecoder> decoder_;         // timed models only
    std::vector<std::optional<music::TimedToken>> parsed_;  // by id; nullopt: never sampled
    std::int64_t piece_start_ = -1;
    bool bar_tokens_ = false;          // timed tokens in the bars style
    std::int64_t tokens_ = 0;          // pushed, primer included
    PieceLength length_;
    double steps_ = 0;                 // bars/seconds: the length in steps (seed: half beats) after begin()
    std::int64_t steps_per_beat_ = 2;  // seed tokens are half a beat
    music::TimedDecoder::Clock start_; // where begin() found the piece
    std::int64_t start_tokens_ = 0, start_notes_ = 0;
    std::int64_t budget_ = 0;          // tokens after begin() before a piece stops regardless
    bool ended_ = false;
    int chord_top_ = -1;               // timed: the highest pitch of the current instrument at the current onset, -1 before one
    int program_ = 0;                  // the instrument in force: the last pitched note's, or a program token's since
    int onset_program_ = -1;           // the instrument of the onset's last pitched note, -1 before one
    int drum_top_ = -1;                // the highest drum key at the current onset, -1 before one
    bool opened_velocity_ = false, opened_program_ = false;  // drawn since the last note
    bool empty_onset_ = false;         // the last token was a position
    std::bitset<music::kit_instrument + 1> playing_;  // the instruments the piece has played: by program, then the kit
    int most_instruments_ = 0;
    bool begun_ = false;               // begin() was called: pitches from here on are composed
    std::array<double, 12> pitch_counts_{};  // timed: the piece's notes by pitch class, primer included
    bool cadence_ = false;             // asked for at begin()
    bool closing_ = false;             // in the final chord
    std::array<bool, 12> triad_{};     // the final chord's pitch classes
    std::array<bool, 12> lacking_{};   // those not yet in it
    int tonic_ = 0;
    std::int64_t hold_id_ = -1;        // the final chord's duration token
    int cadence_notes_ = 0;
};

}  // namespace pianola::compose
