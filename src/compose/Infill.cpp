// One pass per draft, one sequence at a time (B = 1): the network reads the bars before (and, for a
// model trained to fill, the bars after behind their markers), draws or reads the region, then
// reads the bars after, scoring them. For a model that looked ahead, a second pass reads the
// piece in order with the draft in place, so a draft's figures are always the in-order model's,
// as bars_fit() and `evaluate --infill` measure them. Drafts are independent, so each starts from
// the piece's start again (copy_state could let them share the bars before; not measured worth it).
#include "compose/Infill.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "compose/BarModel.h"
#include "music/FillInTheMiddle.h"

namespace pianola::compose {

namespace {

enum class Fill : std::uint8_t { draw, chords, pitches, original };

// What the network, sampling and pulls are for every draft of one piece.
struct Setting {
    model::NextTokenModelImpl& net;
    const model::ModelInfo& info;
    SamplingOptions sampling;
    PiecePulls pulls;
    std::vector<bool> pitch, note_end;  // by id: a pitch token; a duration token (one per note)
    std::uint32_t tempo_us;
    std::int64_t bar = -1;              // the bar token's id
};

// Fill::chords: for each bar of the region, the ids a draw may take: every token but the pitches
// outside the original bar's pitch classes (a bar without notes allows every pitch).
std::vector<std::vector<bool>> chord_masks(const Setting& s, const std::vector<std::int64_t>& ids, std::size_t begin,
                                           std::size_t end) {
    std::vector<std::vector<bool>> masks;
    std::vector<std::array<bool, 12>> classes;
    for (std::size_t i = begin; i < end; ++i) {
        if (ids[i] == s.bar || classes.empty()) classes.emplace_back();
        const int pc = s.pulls.pitch_classes[static_cast<std::size_t>(ids[i])];
        if (pc >= 0) classes.back()[static_cast<std::size_t>(pc)] = true;
    }
    for (const std::array<bool, 12>& bar : classes) {
        const bool silent = std::none_of(bar.begin(), bar.end(), [](bool b) { return b; });
        std::vector<bool>& mask = masks.emplace_back(s.pitch.size(), true);
        for (std::size_t id = 0; id < mask.size(); ++id) {
            const int pc = s.pulls.pitch_classes[id];
            if (s.pitch[id] && pc >= 0 && !silent) mask[id] = bar[static_cast<std::size_t>(pc)];
        }
    }
    return masks;
}

struct Draft {
    std::vector<std::int64_t> region;
    double region_nats = 0, join_nats = 0;  // the network's own surprise
    int region_notes = 0;
};

// ids: the piece, piece start first; the region is [begin, end), the bars scored after it [end,
// join_end). look_ahead: what the network reads before ids[look_at] (music::fill_look_ahead: a
// few bars before the region), or nothing.
Draft run_draft(const Setting& s, const std::vector<std::int64_t>& ids, std::size_t begin, std::size_t end,
                std::size_t join_end, Fill fill, int bars, std::uint64_t seed,
                const std::vector<std::int64_t>& look_ahead = {}, std::size_t look_at = 0) {
    torch::NoGradGuard no_grad;
    s.net.eval();
    const std::unique_ptr<model::StepState> state = s.net.start(1);
    TokenRules rules(s.info.tokenizer, s.info.vocabulary);
    std::optional<model::PieceMemory> memory;
    if (s.pulls.memory.on()) memory.emplace();
    std::optional<KeyPull> key;
    if (s.pulls.key > 0) key.emplace(s.pulls.pitch_classes);
    TokenSampler sampler(s.sampling);
    std::mt19937_64 rng(seed);
    torch::Tensor last = torch::full({1}, ids.at(0), torch::kInt64);  // (1)
    const auto follow = [&](std::int64_t id) {  // the pulls and the network read it; the rules have
        if (memory) memory->push(id);
        if (key) key->push(id);
        last.fill_(id);
    };
    const auto read = [&](std::int64_t id) {
        rules.push(id);
        follow(id);
    };
    std::size_t i = 1;
    for (; i < std::min(look_at, begin); ++i) {
        s.net.step(last, *state);
        read(ids[i]);
    }
    for (const std::int64_t id : look_ahead) {  // the network's alone: the piece goes on from ids[look_at]
        s.net.step(last, *state);
        last.fill_(id);
    }
    for (; i < begin; ++i) {
        s.net.step(last, *state);
        read(ids[i]);
    }

    Draft draft;
    const auto V = static_cast<std::size_t>(s.net.vocab());
    const auto record = [&](std::int64_t id, const torch::Tensor& logp) {  // the region's next token, drawn or given
        draft.region.push_back(id);
        draft.region_nats -= logp[id].item<double>();
        draft.region_notes += s.note_end[static_cast<std::size_t>(id)];
    };
    if (fill == Fill::draw || fill == Fill::chords) {
        const std::vector<std::vector<bool>> masks =
            fill == Fill::chords ? chord_masks(s, ids, begin, end) : std::vector<std::vector<bool>>{};
        std::size_t bar = 0;  // bars drawn so far: the mask of the bar being drawn is masks[bar - 1]
        rules.begin({PieceLength::Unit::bars, static_cast<double>(bars)}, s.tempo_us, false);
        while (!rules.done()) {
            const torch::Tensor logits = s.net.step(last, *state);  // (1, V)
            const torch::Tensor logp = torch::log_softmax(logits[0], 0);
            const auto draw = [&](const std::vector<bool>& allowed) {
                torch::Tensor cut = logits[0].clone();  // draw_next cuts the logits it is given: a second draw starts afresh
                return draw_next({cut.data_ptr<float>(), V}, memory ? &*memory : nullptr, key ? &*key : nullptr, s.pulls,
                                 rules, nullptr, sampler, rng, allowed);
            };
            const std::vector<bool> every;
            std::int64_t id = draw(masks.empty() || bar == 0 ? every : masks[std::min(bar, masks.size()) - 1]);
            if (id < 0) id = draw(every);  // the bar's chord left the rules nothing: any pitch
            if (id == s.bar) ++bar;
            if (!rules.push(id)) break;  // a bar past the region: the bars after follow instead
            record(id, logp);
            follow(id);
        }
    } else {
        for (std::size_t i = begin; i < end; ++i) {
            const torch::Tensor logits = s.net.step(last, *state);  // (1, V)
            const torch::Tensor logp = torch::log_softmax(logits[0], 0);
            std::int64_t id = ids[i];
            if (fill == Fill::pitches && s.pitch[static_cast<std::size_t>(id)]) {
                const std::int64_t drawn = draw_next({logits.data_ptr<float>(), V}, memory ? &*memory : nullptr,
                                                     key ? &*key : nullptr, s.pulls, rules, nullptr, sampler, rng, s.pitch);
                if (drawn >= 0) id = drawn;  // else no pitch fits above the onset's last: the original stays
            }
            record(id, logp);
            read(id);
        }
    }
    for (std::size_t i = end; i < join_end; ++i) {
        const torch::Tensor logits = s.net.step(last, *state);
        draft.join_nats -= torch::log_softmax(logits[0], 0)[ids[i]].item<double>();
        last.fill_(ids[i]);
    }
    return draft;
}

// The piece as ids (piece start first), where bars first..last begin and end, where the two bars
// after them end, and how a model trained to fill reads around them. Throws as infill() says.
struct PieceIds {
    std::vector<std::int64_t> ids;
    std::size_t begin = 0, end = 0, join_end = 0;
    music::FillCut cut;
};

PieceIds piece_ids(const model::LoadedModel& model, const std::vector<std::string>& piece, int first_bar, int last_bar) {
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    PieceIds p;
    p.ids.push_back(bar_model(model, "infilling").piece_start);
    std::vector<std::size_t> bar_starts;  // each bar token's place in ids
    for (const std::string& token : piece) {
        if (!vocabulary.contains(token))
            throw std::invalid_argument("the piece holds \"" + token + "\", a token the model never learned");
        if (token == "bar") bar_starts.push_back(p.ids.size());
        p.ids.push_back(vocabulary.id(token));
    }
    const int bars = static_cast<int>(bar_starts.size());
    if (first_bar < 1 || last_bar < first_bar || last_bar > bars)
        throw std::invalid_argument("bars " + std::to_string(first_bar) + "-" + std::to_string(last_bar) +
                                    " are not within the piece's " + std::to_string(bars) + " bars");
    const auto bar_start = [&](int bar) { return bar < bars ? bar_starts[static_cast<std::size_t>(bar)] : p.ids.size(); };
    p.begin = bar_start(first_bar - 1);
    p.end = bar_start(last_bar);
    p.join_end = bar_start(last_bar + 2);
    p.cut = music::fill_cut(bar_starts, p.ids.size(), first_bar - 1, last_bar - first_bar + 1);
    return p;
}

Setting setting_of(model::LoadedModel& model, const SamplingOptions& sampling, const PiecePulls& pulls) {
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    Setting s{*std::get<model::NextTokenModel>(model.net), model.info, sampling, pulls, {}, {}, model.info.tempo_us,
              vocabulary.contains("bar") ? vocabulary.id("bar") : -1};
    s.sampling.classes = token_classes(model.info.tokenizer, vocabulary);
    for (const std::string& token : vocabulary.tokens()) {
        const auto parsed = music::parse_timed_token(token);
        s.pitch.push_back(parsed && parsed->kind == music::TimedToken::Kind::pitch);
        s.note_end.push_back(parsed && parsed->kind == music::TimedToken::Kind::duration);
    }
    return s;
}

double bits_per_note(const Draft& d) { return d.region_nats / std::log(2.0) / std::max(1, d.region_notes); }

}  // namespace

InfillKeep infill_keep(std::string_view name) {
    return name == "rhythm" ? InfillKeep::rhythm : name == "chords" ? InfillKeep::chords : InfillKeep::nothing;
}

BarsFit bars_fit(model::LoadedModel& model, const std::vector<std::string>& piece, int first_bar, int last_bar) {
    const PieceIds p = piece_ids(model, piece, first_bar, last_bar);
    const Setting s = setting_of(model, {}, {});
    const Draft as_is = run_draft(s, p.ids, p.begin, p.end, p.join_end, Fill::original, last_bar - first_bar + 1, 1);
    return {bits_per_note(as_is), as_is.join_nats / std::log(2.0)};
}

InfilledPiece infill(model::LoadedModel& model, const std::vector<std::string>& piece, const InfillOptions& options) {
    if (options.candidates < 1) throw std::invalid_argument("infilling needs at least one candidate");
    const PieceIds p = piece_ids(model, piece, options.first_bar, options.last_bar);
    const music::Vocabulary& vocabulary = model.info.vocabulary;
    const Setting s = setting_of(model, options.sampling,
                                 {options.memory, options.key_pull, pitch_classes(model.info.tokenizer, vocabulary)});
    const int region_bars = options.last_bar - options.first_bar + 1;
    const std::optional<music::FillMarkers> markers = music::fill_markers(vocabulary);
    const std::vector<std::int64_t> look_ahead =
        markers ? music::fill_look_ahead(p.ids, p.cut, *markers) : std::vector<std::int64_t>{};
    std::optional<Draft> best;
    for (int c = 0; c < options.candidates; ++c) {
        const Fill fill = options.keep == InfillKeep::rhythm   ? Fill::pitches
                          : options.keep == InfillKeep::chords ? Fill::chords
                                                               : Fill::draw;
        // A draft that looked ahead is scored by the in-order pass below, so it reads no bars after.
        Draft draft = run_draft(s, p.ids, p.begin, p.end, markers ? p.end : p.join_end, fill, region_bars,
                                options.seed + static_cast<std::uint64_t>(c), look_ahead, p.cut.head_end);
        if (markers) {  // heard in order, the draft in place of the original bars
            std::vector<std::int64_t> in_order(p.ids.begin(), p.ids.begin() + static_cast<std::ptrdiff_t>(p.begin));
            in_order.insert(in_order.end(), draft.region.begin(), draft.region.end());
            in_order.insert(in_order.end(), p.ids.begin() + static_cast<std::ptrdiff_t>(p.end), p.ids.end());
            const std::size_t region_end = p.begin + draft.region.size();
            draft = run_draft(s, in_order, p.begin, region_end, region_end + (p.join_end - p.end), Fill::original,
                              region_bars, 1);
        }
        if (!best || draft.join_nats < best->join_nats) best = std::move(draft);
    }

    InfilledPiece out;
    for (std::size_t i = 1; i < p.begin; ++i) out.tokens.push_back(vocabulary.token(p.ids[i]));
    out.region_begin = out.tokens.size();
    for (const std::int64_t id : best->region) out.tokens.push_back(vocabulary.token(id));
    out.region_end = out.tokens.size();
    for (std::size_t i = p.end; i < p.ids.size(); ++i) out.tokens.push_back(vocabulary.token(p.ids[i]));
    out.fit = {{bits_per_note(*best), best->join_nats / std::log(2.0)},
               bars_fit(model, piece, options.first_bar, options.last_bar)};
    out.looked_ahead = markers.has_value();
    return out;
}

}  // namespace pianola::compose
