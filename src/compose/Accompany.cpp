// One pass per draft, one sequence at a time (B = 1), as Infill drafts: the network reads the
// piece start, then each token drawn or given. The melody is planned first (its onsets, in steps
// from the piece's start, with their notes' tokens), so every step knows the next melody onset and
// which melody notes sound.
#include "compose/Accompany.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <span>
#include <optional>
#include <stdexcept>

#include "eval/MusicStats.h"

namespace pianola::compose {

namespace {

using Kind = music::TimedToken::Kind;

constexpr int melody_room = 12;  // semitones under the melody the accompaniment leaves free

struct GivenNote {
    std::int64_t pitch_id = 0, duration_id = 0;  // its pitch (or drum) and duration tokens
    int pitch = 0, level = -1, program = 0;      // level -1: the model has no velocity tokens
    bool drum = false;
    std::int64_t end = 0;                        // steps
};

struct GivenOnset {
    std::int64_t bars = 0, step = 0;  // bars begun at it (1 in the first bar); steps from the piece's start
    std::vector<GivenNote> notes;     // in the tokenizer's order
    int lowest = 128;                 // its lowest pitched note
};

struct Melody {
    std::vector<std::int64_t> ids;                     // as read alone, piece start first
    std::vector<std::optional<std::int64_t>> meters;   // by bar: the meter token opening it
    std::vector<GivenOnset> onsets;
};

Melody plan(const model::LoadedModel& model, const std::vector<std::string>& melody) {
    if (!std::holds_alternative<model::NextTokenModel>(model.net))
        throw std::invalid_argument("accompanying needs a next-token model");
    const auto* timed = std::get_if<music::TimedTokenizer>(&model.info.tokenizer);
    if (!timed || timed->options().time != music::TimeTokens::bars)
        throw std::invalid_argument("accompanying keeps the melody's bars: it needs a model of timed tokens in bars");
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    if (!vocabulary.contains(music::piece_start_token))
        throw std::invalid_argument("the model's vocabulary has no piece-start token");
    Melody m;
    m.ids.push_back(vocabulary.id(music::piece_start_token));
    music::TimedDecoder decoder(*timed);
    int level = -1, program = 0;
    GivenNote pending;
    for (const std::string& text : melody) {
        if (!vocabulary.contains(text))
            throw std::invalid_argument("the melody holds \"" + text + "\", a token the model never learned");
        const std::int64_t id = vocabulary.id(text);
        m.ids.push_back(id);
        const music::TimedToken token = *music::parse_timed_token(text);  // the vocabulary's tokens all parse
        decoder.push(token);
        switch (token.kind) {
        case Kind::bar: m.meters.emplace_back(); break;
        case Kind::meter: m.meters.back() = id; break;
        case Kind::position: m.onsets.push_back({decoder.clock().bars, decoder.clock().step, {}, 128}); break;
        case Kind::velocity: level = token.value; break;
        case Kind::program: program = token.value; break;
        case Kind::pitch:
        case Kind::drum: pending = {id, 0, token.value, level, program, token.kind == Kind::drum, 0}; break;
        case Kind::duration: {
            GivenOnset& onset = m.onsets.back();
            pending.duration_id = id;
            pending.end = onset.step + token.value;
            if (!pending.drum) onset.lowest = std::min(onset.lowest, pending.pitch);
            onset.notes.push_back(pending);
            break;
        }
        case Kind::shift: break;  // not in a bars model's vocabulary
        }
    }
    if (m.onsets.empty()) throw std::invalid_argument("the melody has no notes");
    return m;
}

struct Draft {
    std::vector<std::int64_t> ids;
    std::vector<bool> given;
    double melody_nats = 0;
    int accompaniment_notes = 0;
    std::array<double, 12> classes{};  // the accompaniment's pitched notes by pitch class
};

// What a draft composes with: the network, its grammar's tokens parsed by id, the pulls.
struct Setting {
    model::NextTokenModelImpl& net;
    const model::ModelInfo& info;
    const Melody& melody;
    SamplingOptions sampling;
    PiecePulls pulls;
    std::vector<std::optional<music::TimedToken>> parsed;  // by id
};

Draft run_draft(const Setting& s, std::uint64_t seed) {
    torch::NoGradGuard no_grad;
    s.net.eval();
    const music::Vocabulary& vocabulary = s.info.vocabulary;
    const auto& timed = std::get<music::TimedTokenizer>(s.info.tokenizer);
    const std::unique_ptr<model::StepState> state = s.net.start(1);
    TokenRules rules(s.info.tokenizer, vocabulary);
    rules.begin({PieceLength::Unit::bars, static_cast<double>(s.melody.meters.size())}, s.info.tempo_us, false);
    std::optional<model::PieceMemory> memory;
    if (s.pulls.memory.on()) memory.emplace();
    std::optional<KeyPull> key;
    if (s.pulls.key > 0) {  // the tune's key is known before its first note: the pull starts from all of it
        key.emplace(s.pulls.pitch_classes);
        for (const GivenOnset& onset : s.melody.onsets)
            for (const GivenNote& note : onset.notes) key->push(note.pitch_id);
    }
    TokenSampler sampler(s.sampling);
    std::mt19937_64 rng(seed);
    torch::Tensor last = torch::full({1}, s.melody.ids.front(), torch::kInt64);  // (1)

    music::TimedDecoder here(timed);  // where the piece stands
    bool onset_open = false;          // a position token read in the current bar
    int level = -1, program = 0;      // in force for the next note
    const std::vector<GivenOnset>& onsets = s.melody.onsets;
    std::size_t next = 0;             // the next melody onset to place
    std::deque<std::pair<std::int64_t, bool>> queued;  // tokens to give next, and whether each is a melody note's
    const auto queue_onset = [&](const GivenOnset& onset) {
        for (const GivenNote& note : onset.notes) {
            if (note.level >= 0 && note.level != level) queued.emplace_back(vocabulary.id("vel:" + std::to_string(note.level)), false);
            if (!note.drum && note.program != program) queued.emplace_back(vocabulary.id("prog:" + std::to_string(note.program)), false);
            queued.emplace_back(note.pitch_id, true);
            queued.emplace_back(note.duration_id, true);
            if (note.level >= 0) level = note.level;
            if (!note.drum) program = note.program;
        }
    };
    // The accompaniment stays below every melody note sounding at `step`; where the melody rests,
    // below its last onset (before it begins, its first), so the tune is always on top.
    const auto ceiling = [&](std::int64_t step) {
        int lowest = 129;
        for (std::size_t o = 0; o < next; ++o)
            for (const GivenNote& note : onsets[o].notes)
                if (!note.drum && note.end > step && onsets[o].step <= step) lowest = std::min(lowest, note.pitch);
        if (lowest == 129) lowest = onsets[next > 0 ? next - 1 : 0].lowest;
        return lowest;
    };
    const auto V = vocabulary.size();
    std::vector<bool> allowed(V);
    // Below every melody note sounding, by more than this: the octave under the tune is where
    // the model writes a melody of its own (measured: README, "Accompaniment"). Returns, at a
    // melody onset, the lowest pitch the model may not draw there (else -1).
    const auto fill_allowed = [&] {
        const music::TimedDecoder::Clock now = here.clock();
        const GivenOnset* due = next < onsets.size() ? &onsets[next] : nullptr;
        const bool in_this_bar = due && due->bars == now.bars;
        const bool at_due = onset_open && in_this_bar && now.step == due->step;
        const bool placed_here = onset_open && next > 0 && onsets[next - 1].step == now.step;
        const int top = ceiling(now.step);
        for (std::size_t id = 0; id < V; ++id) {
            const std::optional<music::TimedToken>& t = s.parsed[id];
            bool ok = false;
            if (t) switch (t->kind) {
                case Kind::bar: ok = !in_this_bar; break;
                case Kind::meter:
                case Kind::shift: ok = false; break;  // meters are the melody's
                case Kind::position: ok = !at_due && (!in_this_bar || here.clock_after(*t).step <= due->step); break;
                case Kind::pitch:
                    ok = at_due ? (t->value < std::min(top, due->lowest) - melody_room ||
                                   static_cast<std::int64_t>(id) == due->notes.front().pitch_id)
                                : !placed_here && t->value < top - melody_room;
                    break;
                case Kind::drum: ok = !at_due; break;
                case Kind::velocity:
                case Kind::program:
                case Kind::duration: ok = true; break;
                }
            allowed[id] = ok;
        }
        if (at_due && due->notes.front().drum) allowed[static_cast<std::size_t>(due->notes.front().pitch_id)] = true;
        return at_due ? std::min(top, due->lowest) - melody_room : -1;
    };
    // At a melody onset, what the model gives the pitches it may not draw there (its own melody, in
    // the tune's register) goes to the tune's first note: logits (V), changed in place.
    const auto melody_takes_its_register = [&](std::span<float> logits, int floor, std::int64_t entry) {
        float most = -std::numeric_limits<float>::infinity();
        for (std::size_t id = 0; id < V; ++id)
            if (s.parsed[id] && s.parsed[id]->kind == Kind::pitch && s.parsed[id]->value >= floor) most = std::max(most, logits[id]);
        double mass = 0;
        for (std::size_t id = 0; id < V; ++id)
            if (s.parsed[id] && s.parsed[id]->kind == Kind::pitch && s.parsed[id]->value >= floor) mass += std::exp(logits[id] - most);
        logits[static_cast<std::size_t>(entry)] = most + static_cast<float>(std::log(mass));
    };

    Draft draft;
    for (;;) {
        const torch::Tensor logits = s.net.step(last, *state);  // (1, V)
        const torch::Tensor logp = torch::log_softmax(logits[0], 0);
        std::int64_t id = -1;
        bool given = false;
        if (queued.empty()) {
            const int floor = fill_allowed();
            const bool at_due = floor >= 0;
            if (at_due && !onsets[next].notes.front().drum)
                melody_takes_its_register({logits.data_ptr<float>(), V}, floor, onsets[next].notes.front().pitch_id);
            id = draw_next({logits.data_ptr<float>(), V}, memory ? &*memory : nullptr, key ? &*key : nullptr, s.pulls, rules,
                           nullptr, sampler, rng, allowed);
            if (at_due && (id < 0 || id == onsets[next].notes.front().pitch_id)) {  // the melody comes in
                queue_onset(onsets[next]);
                ++next;
                id = -1;
            } else if (id < 0) {
                throw std::invalid_argument("the model found no token to go on with under the melody");
            }
        }
        if (id < 0) {
            std::tie(id, given) = queued.front();
            queued.pop_front();
            if (given) draft.melody_nats -= logp[id].item<double>();
        }
        if (!rules.push(id)) break;  // a bar past the melody's last
        const music::TimedToken t = *s.parsed[static_cast<std::size_t>(id)];
        here.push(t);
        if (t.kind == Kind::bar) {
            onset_open = false;
            const auto bar = static_cast<std::size_t>(here.clock().bars - 1);
            if (bar < s.melody.meters.size() && s.melody.meters[bar]) queued.emplace_back(*s.melody.meters[bar], false);
        }
        if (t.kind == Kind::position) onset_open = true;
        if (!given && t.kind == Kind::velocity) level = t.value;
        if (!given && t.kind == Kind::program) program = t.value;
        if (!given && t.kind == Kind::pitch) draft.classes[static_cast<std::size_t>(t.value % 12)] += 1;
        if (!given && t.kind == Kind::duration) ++draft.accompaniment_notes;
        if (memory) memory->push(id);
        if (key && !given) key->push(id);
        last.fill_(id);
        draft.ids.push_back(id);
        draft.given.push_back(given);
        if (rules.done()) break;
    }
    if (next < onsets.size()) throw std::invalid_argument("the piece ended before the melody's last notes");
    return draft;
}

// The model's surprise at the melody's notes heard alone, in nats.
double alone_nats(model::NextTokenModelImpl& net, const Melody& melody, const std::vector<bool>& note_tokens) {
    torch::NoGradGuard no_grad;
    net.eval();
    const std::unique_ptr<model::StepState> state = net.start(1);
    torch::Tensor last = torch::full({1}, melody.ids.front(), torch::kInt64);  // (1)
    double nats = 0;
    for (std::size_t i = 1; i < melody.ids.size(); ++i) {
        const torch::Tensor logits = net.step(last, *state);  // (1, V)
        const std::int64_t id = melody.ids[i];
        if (note_tokens[static_cast<std::size_t>(id)]) nats -= torch::log_softmax(logits[0], 0)[id].item<double>();
        last.fill_(id);
    }
    return nats;
}

}  // namespace

AccompaniedPiece accompany(model::LoadedModel& model, const std::vector<std::string>& melody, const AccompanyOptions& options) {
    if (options.candidates < 1) throw std::invalid_argument("accompanying needs at least one candidate");
    const Melody m = plan(model, melody);
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    Setting s{*std::get<model::NextTokenModel>(model.net), model.info, m, options.sampling,
              {options.memory, options.key_pull, pitch_classes(model.info.tokenizer, vocabulary)}, {}};
    s.sampling.time_tokens = time_tokens(model.info.tokenizer, vocabulary);
    std::vector<bool> note_tokens;  // by id: a pitch, drum or duration token
    for (const std::string& token : vocabulary.tokens()) {
        s.parsed.push_back(music::parse_timed_token(token));
        const auto& t = s.parsed.back();
        note_tokens.push_back(t && (t->kind == Kind::pitch || t->kind == Kind::drum || t->kind == Kind::duration));
    }
    std::optional<Draft> best;
    for (int c = 0; c < options.candidates; ++c) {
        Draft draft = run_draft(s, options.seed + static_cast<std::uint64_t>(c));
        if (!best || draft.melody_nats < best->melody_nats) best = std::move(draft);
    }
    AccompaniedPiece out;
    for (const std::int64_t id : best->ids) out.tokens.push_back(vocabulary.token(id));
    out.given = best->given;
    AccompanimentFit& fit = out.fit;
    std::array<double, 12> melody_classes{};
    for (const GivenOnset& onset : m.onsets) {
        fit.melody_notes += static_cast<int>(onset.notes.size());
        for (const GivenNote& note : onset.notes)
            if (!note.drum) melody_classes[static_cast<std::size_t>(note.pitch % 12)] += 1;
    }
    fit.accompaniment_notes = best->accompaniment_notes;
    const double per_note = std::log(2.0) * fit.melody_notes;
    fit.melody_bits_per_note = best->melody_nats / per_note;
    fit.alone_bits_per_note = alone_nats(s.net, m, note_tokens) / per_note;
    const std::array<bool, 12> scale = eval::fullest_scale(melody_classes);
    double pitched = 0, in_key = 0;
    for (std::size_t c = 0; c < 12; ++c) {
        pitched += best->classes[c];
        in_key += scale[c] ? best->classes[c] : 0;
    }
    fit.in_key = pitched > 0 ? in_key / pitched : 0;
    return out;
}

std::vector<std::string> accompaniment_tokens(const AccompaniedPiece& piece) {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < piece.tokens.size(); ++i)
        if (!piece.given[i]) tokens.push_back(piece.tokens[i]);
    return tokens;
}

}  // namespace pianola::compose
