// Each particle is one sequence (B = 1) with a network state of its own, stepped a token at a
// time as Infill drafts are; a resampling copies states between particles (copy_state). The
// melody is planned first (its onsets, in steps from the piece's start, with their notes' tokens),
// so every step knows the next melody onset and which melody notes sound.
#include "compose/Accompany.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "compose/BarModel.h"
#include "eval/MusicStats.h"

namespace pianola::compose {

namespace {

using Kind = music::TimedToken::Kind;

// A note's own token: its pitch (or drum key) or its duration. What the melody's odds count.
bool note_token(const std::optional<music::TimedToken>& t) {
    return t && (t->kind == Kind::pitch || t->kind == Kind::drum || t->kind == Kind::duration);
}

constexpr int melody_room = 12;  // semitones under the melody the accompaniment leaves free (fill_allowed)

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
    const BarModel bars = bar_model(model, "accompanying");
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    Melody m;
    m.ids.push_back(bars.piece_start);
    music::TimedDecoder decoder(bars.tokenizer);
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
        case Kind::tempo:
        case Kind::tempo_change:
        case Kind::pedal: break;  // the melody's file keeps its tempos and pedal
        }
    }
    if (m.onsets.empty()) throw std::invalid_argument("the melody has no notes");
    return m;
}

// What a particle composes with: the network, its grammar's tokens parsed by id, the pulls.
struct Setting {
    model::NextTokenModelImpl& net;
    const model::ModelInfo& info;
    const Melody& melody;
    SamplingOptions sampling;
    PiecePulls pulls;
    std::vector<std::optional<music::TimedToken>> parsed;  // by id
};

// Where one particle's piece stands: everything but the network's state, its input and the
// particle's random generator and sampler, which stay with the particle when it takes another's walk.
struct Walk {
    Walk(TokenRules rules_, music::TimedDecoder here_) : rules(std::move(rules_)), here(std::move(here_)) {}
    TokenRules rules;
    music::TimedDecoder here;                          // the piece's clock
    std::optional<model::PieceMemory> memory;
    std::optional<KeyPull> key;
    bool onset_open = false;                           // a position token read in the current bar
    int level = -1, program = 0;                       // in force for the next note
    std::size_t next = 0;                              // the next melody onset to place
    std::deque<std::pair<std::int64_t, bool>> queued;  // tokens to give next, and whether each is a melody note's
    std::vector<std::int64_t> ids;
    std::vector<bool> given;
    double melody_nats = 0;                            // the network's surprise at the melody's tokens so far
    double nats_since = 0;                             // the same since the particles were last resampled
    bool done = false;
};

struct Particle {
    Walk walk;
    std::unique_ptr<model::StepState> state, spare;  // spare: where a resampling copies another's state
    torch::Tensor last;                              // (1): the token the network reads next
    TokenSampler sampler;
    std::mt19937_64 rng;
};

// instruments: the most the piece may play, the tune's among them (0: any).
Walk start_walk(const Setting& s, int instruments) {
    Walk w(TokenRules(s.info.tokenizer, s.info.vocabulary), music::TimedDecoder(std::get<music::TimedTokenizer>(s.info.tokenizer)));
    std::vector<int> programs;
    bool drums = false;
    for (const GivenOnset& onset : s.melody.onsets)
        for (const GivenNote& note : onset.notes) {
            if (!note.drum) programs.push_back(note.program);
            drums |= note.drum;
        }
    w.rules.limit_instruments(instruments, programs, drums);
    w.rules.begin({PieceLength::Unit::bars, static_cast<double>(s.melody.meters.size())}, s.info.tempo_us, false);
    if (s.pulls.memory.on()) w.memory.emplace();
    if (s.pulls.key > 0) {  // the tune's key is known before its first note: the pull starts from all of it
        w.key.emplace(s.pulls.pitch_classes);
        for (const GivenOnset& onset : s.melody.onsets)
            for (const GivenNote& note : onset.notes) w.key->push(note.pitch_id);
    }
    return w;
}

// The melody onset's tokens, queued: each note's pitch and duration, behind a level or program
// where the note's differs from the one in force.
void queue_onset(const Setting& s, Walk& w, const GivenOnset& onset) {
    const music::Vocabulary& vocabulary = s.info.vocabulary;
    for (const GivenNote& note : onset.notes) {
        if (note.level >= 0 && note.level != w.level) w.queued.emplace_back(vocabulary.id("vel:" + std::to_string(note.level)), false);
        if (!note.drum && note.program != w.program)
            w.queued.emplace_back(vocabulary.id("prog:" + std::to_string(note.program)), false);
        w.queued.emplace_back(note.pitch_id, true);
        w.queued.emplace_back(note.duration_id, true);
        if (note.level >= 0) w.level = note.level;
        if (!note.drum) w.program = note.program;
    }
}

// The accompaniment stays below every melody note sounding at `step`; where the melody rests,
// below its last onset (before it begins, its first), so the tune is always on top.
int ceiling(const Melody& m, const Walk& w, std::int64_t step) {
    int lowest = 129;
    for (std::size_t o = 0; o < w.next; ++o)
        for (const GivenNote& note : m.onsets[o].notes)
            if (!note.drum && note.end > step && m.onsets[o].step <= step) lowest = std::min(lowest, note.pitch);
    if (lowest == 129) lowest = m.onsets[w.next > 0 ? w.next - 1 : 0].lowest;
    return lowest;
}

// Which ids a draw may take now (`allowed`, by id): time never passes the melody's next onset,
// meters are the melody's, and pitches stay below every melody note sounding by more than
// melody_room (the octave under the tune is where the model writes a melody of its own; measured:
// README, "Accompaniment"). Returns, at a melody onset, the lowest pitch the model may not draw there.
std::optional<int> fill_allowed(const Setting& s, const Walk& w, std::vector<bool>& allowed) {
    const std::vector<GivenOnset>& onsets = s.melody.onsets;
    const music::TimedDecoder::Clock now = w.here.clock();
    const GivenOnset* due = w.next < onsets.size() ? &onsets[w.next] : nullptr;
    const bool in_this_bar = due && due->bars == now.bars;
    const bool at_due = w.onset_open && in_this_bar && now.step == due->step;
    const bool placed_here = w.onset_open && w.next > 0 && onsets[w.next - 1].step == now.step;
    const int top = ceiling(s.melody, w, now.step);
    const int floor = at_due ? std::min(top, due->lowest) - melody_room : top - melody_room;
    for (std::size_t id = 0; id < allowed.size(); ++id) {
        const std::optional<music::TimedToken>& t = s.parsed[id];
        bool ok = false;
        if (t) switch (t->kind) {
            case Kind::bar: ok = !in_this_bar; break;
            case Kind::meter:
            case Kind::tempo:
            case Kind::tempo_change:
            case Kind::pedal:
            case Kind::shift: ok = false; break;  // meters, tempos and the pedal are the melody's
            case Kind::position: ok = !at_due && (!in_this_bar || w.here.clock_after(*t).step <= due->step); break;
            case Kind::pitch:
                ok = at_due ? t->value < floor || static_cast<std::int64_t>(id) == due->notes.front().pitch_id
                            : !placed_here && t->value < floor;
                break;
            case Kind::drum: ok = !at_due; break;
            case Kind::velocity:
            case Kind::program:
            case Kind::duration: ok = true; break;
            }
        allowed[id] = ok;
    }
    if (!at_due) return std::nullopt;
    if (due->notes.front().drum) allowed[static_cast<std::size_t>(due->notes.front().pitch_id)] = true;
    return floor;
}

// At a melody onset, what the model gives the pitches it may not draw there (its own melody, in
// the tune's register) goes to the tune's first note: logits (V), changed in place.
void melody_takes_its_register(const Setting& s, std::span<float> logits, int floor, std::int64_t entry) {
    const auto held = [&](std::size_t id) { return s.parsed[id] && s.parsed[id]->kind == Kind::pitch && s.parsed[id]->value >= floor; };
    float most = -std::numeric_limits<float>::infinity();
    for (std::size_t id = 0; id < logits.size(); ++id)
        if (held(id)) most = std::max(most, logits[id]);
    double mass = 0;
    for (std::size_t id = 0; id < logits.size(); ++id)
        if (held(id)) mass += std::exp(logits[id] - most);
    logits[static_cast<std::size_t>(entry)] = most + static_cast<float>(std::log(mass));
}

// One token of one particle, drawn or given, read by the network. allowed: a buffer of V.
void take_step(const Setting& s, Particle& p, std::vector<bool>& allowed) {
    Walk& w = p.walk;
    const std::vector<GivenOnset>& onsets = s.melody.onsets;
    const torch::Tensor logits = s.net.step(p.last, *p.state);  // (1, V)
    const torch::Tensor logp = torch::log_softmax(logits[0], 0);
    std::int64_t id = -1;
    bool given = false;
    if (w.queued.empty()) {
        const std::optional<int> floor = fill_allowed(s, w, allowed);
        const std::span<float> cut{logits.data_ptr<float>(), allowed.size()};
        if (floor && !onsets[w.next].notes.front().drum)
            melody_takes_its_register(s, cut, *floor, onsets[w.next].notes.front().pitch_id);
        id = draw_next(cut, w.memory ? &*w.memory : nullptr, w.key ? &*w.key : nullptr, s.pulls, w.rules, nullptr, p.sampler,
                       p.rng, allowed);
        if (floor && (id < 0 || id == onsets[w.next].notes.front().pitch_id)) {  // the melody comes in
            queue_onset(s, w, onsets[w.next]);
            ++w.next;
            id = -1;
        } else if (id < 0) {
            throw std::invalid_argument("the model found no token to go on with under the melody");
        }
    }
    if (id < 0) {
        std::tie(id, given) = w.queued.front();
        w.queued.pop_front();
        if (given) {
            const double nats = -logp[id].item<double>();
            w.melody_nats += nats;
            w.nats_since += nats;
        }
    }
    if (!w.rules.push(id)) {  // a bar past the melody's last
        w.done = true;
        return;
    }
    const music::TimedToken t = *s.parsed[static_cast<std::size_t>(id)];
    w.here.push(t);
    if (t.kind == Kind::bar) {
        w.onset_open = false;
        const auto bar = static_cast<std::size_t>(w.here.clock().bars - 1);
        if (bar < s.melody.meters.size() && s.melody.meters[bar]) w.queued.emplace_back(*s.melody.meters[bar], false);
    }
    if (t.kind == Kind::position) w.onset_open = true;
    if (!given && t.kind == Kind::velocity) w.level = t.value;
    if (!given && t.kind == Kind::program) w.program = t.value;
    if (w.memory) w.memory->push(id);
    if (w.key && !given) w.key->push(id);
    p.last.fill_(id);
    w.ids.push_back(id);
    w.given.push_back(given);
    w.done = w.rules.done();
}

// Where the particles' weights (each exp(-nats_since)) have grown too uneven (an effective number
// under half of them), each particle takes the walk and state of one drawn in proportion to the
// weights (systematic resampling), and the weights start again.
void resample(const Setting& s, std::vector<Particle>& particles, std::mt19937_64& rng) {
    const std::size_t K = particles.size();
    double least = std::numeric_limits<double>::infinity();
    for (const Particle& p : particles) least = std::min(least, p.walk.nats_since);
    std::vector<double> weight(K);
    double sum = 0, squares = 0;
    for (std::size_t k = 0; k < K; ++k) {
        weight[k] = std::exp(least - particles[k].walk.nats_since);
        sum += weight[k];
        squares += weight[k] * weight[k];
    }
    if (sum * sum / squares >= static_cast<double>(K) / 2) return;
    std::vector<std::size_t> from(K);
    const double u = std::uniform_real_distribution<double>(0, 1)(rng) / static_cast<double>(K);
    double reach = weight[0] / sum;
    for (std::size_t k = 0, i = 0; k < K; ++k) {
        while (u + static_cast<double>(k) / static_cast<double>(K) > reach && i + 1 < K) reach += weight[++i] / sum;
        from[k] = i;
    }
    std::vector<Walk> walks;
    std::vector<std::int64_t> lasts;
    for (std::size_t k = 0; k < K; ++k) {
        const Particle& source = particles[from[k]];
        s.net.copy_state(*source.state, *particles[k].spare);
        walks.push_back(source.walk);
        lasts.push_back(source.last.item<std::int64_t>());
    }
    for (std::size_t k = 0; k < K; ++k) {
        Particle& p = particles[k];
        std::swap(p.state, p.spare);
        p.walk = std::move(walks[k]);
        p.walk.nats_since = 0;
        p.last.fill_(lasts[k]);
    }
}

// The particles move together from melody onset to melody onset: each composes up to and through
// the next one, and they are resampled by how likely each made the melody's notes there (the
// model hears the tune's note only after it has set its chord under it; the particles whose
// chords made it likely go on). Returns the walk of the one that found the whole melody likeliest.
Walk compose_around(const Setting& s, int count, std::uint64_t seed) {
    torch::NoGradGuard no_grad;
    s.net.eval();
    // A band model's piece plays as many instruments as a training piece drawn by the seed, the
    // tune one of them, and at least one more (without, a Debian band model put 8 around a tune).
    const int ensemble = ensemble_limit(s.info, seed);
    const Walk start = start_walk(s, ensemble > 0 ? std::max(ensemble, 2) : 0);
    std::vector<Particle> particles;
    for (int k = 0; k < count; ++k)
        particles.push_back({start, s.net.start(1), s.net.start(1), torch::full({1}, s.melody.ids.front(), torch::kInt64),
                             TokenSampler(s.sampling), std::mt19937_64(seed + static_cast<std::uint64_t>(k))});
    std::mt19937_64 rng(seed);
    std::vector<bool> allowed(s.info.vocabulary.size());
    const std::size_t onsets = s.melody.onsets.size();
    for (std::size_t o = 0; o <= onsets; ++o) {
        for (Particle& p : particles)
            while (!p.walk.done && (o == onsets || p.walk.next <= o || !p.walk.queued.empty())) take_step(s, p, allowed);
        if (o < onsets) resample(s, particles, rng);
    }
    const Particle* best = &particles.front();
    for (const Particle& p : particles) {
        if (p.walk.next < onsets) throw std::invalid_argument("the piece ended before the melody's last notes");
        if (p.walk.melody_nats < best->walk.melody_nats) best = &p;
    }
    return best->walk;
}

// The network's surprise (nats) at the tokens of ids (piece start first) that `counted` marks
// (by place in ids, the piece start's included).
double surprise(model::NextTokenModelImpl& net, const std::vector<std::int64_t>& ids, const std::vector<bool>& counted) {
    torch::NoGradGuard no_grad;
    net.eval();
    const std::unique_ptr<model::StepState> state = net.start(1);
    torch::Tensor last = torch::full({1}, ids.front(), torch::kInt64);  // (1)
    double nats = 0;
    for (std::size_t i = 1; i < ids.size(); ++i) {
        const torch::Tensor logits = net.step(last, *state);  // (1, V)
        if (counted[i]) nats -= torch::log_softmax(logits[0], 0)[ids[i]].item<double>();
        last.fill_(ids[i]);
    }
    return nats;
}

}  // namespace

AccompaniedPiece accompany(model::LoadedModel& model, const std::vector<std::string>& melody, const AccompanyOptions& options) {
    if (options.particles < 1) throw std::invalid_argument("accompanying needs at least one particle");
    const Melody m = plan(model, melody);
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    Setting s{*std::get<model::NextTokenModel>(model.net), model.info, m, options.sampling,
              {options.memory, options.key_pull, pitch_classes(model.info.tokenizer, vocabulary)}, {}};
    s.sampling.classes = token_classes(model.info.tokenizer, vocabulary);
    for (const std::string& token : vocabulary.tokens()) s.parsed.push_back(music::parse_timed_token(token));
    const Walk best = compose_around(s, options.particles, options.seed);
    AccompaniedPiece out;
    for (const std::int64_t id : best.ids) out.tokens.push_back(vocabulary.token(id));
    out.given = best.given;
    out.fit = accompaniment_fit(model, out.tokens, out.given, melody);
    return out;
}

AccompanimentFit accompaniment_fit(model::LoadedModel& model, const std::vector<std::string>& piece,
                                   const std::vector<bool>& given, const std::vector<std::string>& melody) {
    if (given.size() != piece.size()) throw std::invalid_argument("one mark for each of the piece's tokens");
    const Melody m = plan(model, melody);
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    auto& net = *std::get<model::NextTokenModel>(model.net);
    AccompanimentFit fit;
    std::vector<std::int64_t> ids{m.ids.front()};
    std::vector<bool> counted{false};
    std::array<double, 12> melody_classes{}, parts_classes{};
    for (std::size_t i = 0; i < piece.size(); ++i) {
        if (!vocabulary.contains(piece[i]))
            throw std::invalid_argument("the piece holds \"" + piece[i] + "\", a token the model never learned");
        ids.push_back(vocabulary.id(piece[i]));
        const std::optional<music::TimedToken> t = music::parse_timed_token(piece[i]);
        counted.push_back(given[i] && note_token(t));
        if (!t) continue;
        if (t->kind == Kind::pitch) (given[i] ? melody_classes : parts_classes)[static_cast<std::size_t>(t->value % 12)] += 1;
        if (t->kind == Kind::duration) ++(given[i] ? fit.melody_notes : fit.accompaniment_notes);
    }
    const double per_note = std::log(2.0) * std::max(1, fit.melody_notes);
    fit.melody_bits_per_note = surprise(net, ids, counted) / per_note;
    std::vector<bool> alone(m.ids.size());
    for (std::size_t i = 1; i < m.ids.size(); ++i) alone[i] = note_token(music::parse_timed_token(vocabulary.token(m.ids[i])));
    std::size_t tune_notes = 0;
    for (const GivenOnset& onset : m.onsets) tune_notes += onset.notes.size();
    fit.alone_bits_per_note = surprise(net, m.ids, alone) / (std::log(2.0) * static_cast<double>(tune_notes));
    const std::array<bool, 12> scale = eval::fullest_scale(melody_classes);
    double pitched = 0, in_key = 0;
    for (std::size_t c = 0; c < 12; ++c) {
        pitched += parts_classes[c];
        in_key += scale[c] ? parts_classes[c] : 0;
    }
    if (pitched > 0) fit.in_key = in_key / pitched;
    return fit;
}

std::vector<bool> melody_marks(const model::ModelInfo& info, const std::vector<std::string>& piece,
                               const std::vector<std::string>& melody) {
    const auto* timed = std::get_if<music::TimedTokenizer>(&info.tokenizer);
    if (!timed) throw std::invalid_argument("finding a melody in a piece needs a model of timed tokens");
    // A note by its onset (steps) and key, drums apart.
    using Key = std::tuple<std::int64_t, int, bool>;
    const auto notes_of = [&](const std::vector<std::string>& tokens, const auto& visit) {
        music::TimedDecoder decoder(*timed);
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const std::optional<music::TimedToken> t = music::parse_timed_token(tokens[i]);
            if (!t || !decoder.accepts(*t)) continue;
            if (t->kind == Kind::pitch || t->kind == Kind::drum) visit(i, Key{decoder.clock().step, t->value, t->kind == Kind::drum});
            decoder.push(*t);
        }
    };
    std::multiset<Key> tune;
    notes_of(melody, [&](std::size_t, const Key& key) { tune.insert(key); });
    std::vector<bool> marks(piece.size());
    notes_of(piece, [&](std::size_t i, const Key& key) {
        const auto found = tune.find(key);
        if (found == tune.end()) return;
        tune.erase(found);
        marks[i] = true;
        for (std::size_t j = i + 1; j < piece.size(); ++j) {  // its duration: the next one
            const std::optional<music::TimedToken> t = music::parse_timed_token(piece[j]);
            if (t && t->kind == Kind::duration) {
                marks[j] = true;
                break;
            }
        }
    });
    return marks;
}

std::vector<std::string> accompaniment_tokens(const AccompaniedPiece& piece) {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < piece.tokens.size(); ++i)
        if (!piece.given[i]) tokens.push_back(piece.tokens[i]);
    return tokens;
}

}  // namespace pianola::compose
