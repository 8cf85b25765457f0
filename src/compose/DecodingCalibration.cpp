#include "compose/DecodingCalibration.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <utility>

#include "compose/CopyGuard.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"
#include "eval/Quantile.h"
#include "music/Sustain.h"

namespace pianola::compose {

namespace {

// 32 pieces: with 16, a nottingham model's calibration ranked the memory at x0.7 first and x0.9
// third, which 20 pieces composed after ranked the other way round. As long as the median held-out
// piece, which is how long generate composes by default: from 150 notes (enough for a key, a rhythm
// and repeats to show) to 1,000.
constexpr int calibration_pieces = 32;
constexpr std::size_t shortest_calibration = 150, longest_calibration = 1000;

// Pitch top-p first, with time tokens uncut at the pitches' temperature, durations at the
// model's temperature within top-p 0.95, and the memory and key pull at middle strengths; then
// the time tokens' temperature and the memory's strength together, as they pull against each
// other (a hotter rhythm repeats less, a stronger memory more: on nottingham each alone made the
// pieces farther, memory x0.9 with time temperature 1 nearest); then the key pull's; then the
// time top-p; then the durations'. Durations start at temperature 1 because, cut and tempered as
// time tokens, they made every note one length (ff-piano: note-length entropy 0.50 bits against
// the held-out pieces' 2.21, pitch range 39 semitones against 48; drawn at temperature 1, 1.64
// bits and 44.5). They are always cut a little: uncut, the model's least likely durations held a
// note over 16 beats in 10 of 20 pieces (one of the 9 held-out pieces has one), up to 59 bars,
// which the distance hardly sees; within top-p 0.95, in 3 of 20. A full grid would take many
// times as long for little: the stages
// act on different things. On ff-piano, nottingham and the Debian corpus (6-minute models) time
// top-p 0.9 or 0.95 won; 0.7 never did, and a lower pitch top-p than 0.4 was not needed.
// Each stage lists its values coarse first (and the most frequent winners first), so that a plan
// cut short by the time budget still spans each stage; within a stage the order changes nothing
// else, as every trial of a stage varies the same best trial of the stage before.
constexpr double pitch_top_ps[] = {0.9, 0.7, 0.5, 0.95, 0.8, 0.6, 0.4};
constexpr double time_temperatures[] = {0.9, 1, 0.8};
constexpr double first_memory = 0.7, first_key_pull = 1;
constexpr double memories[] = {0.9, 0.8, 0.6, 1, 0};
constexpr double key_pulls[] = {0.5, 0, 2};
constexpr double time_top_ps[] = {0.95, 0.9, 0.8};
constexpr double first_duration_temperature = 1, first_duration_top_p = 0.95;
constexpr std::pair<double, double> duration_settings[] = {{0.9, 0.95}, {1, 0.9}, {0.8, 0.9}};  // (temperature, top-p)

// The median held-out piece's notes (0 for none).
std::size_t median_notes(const std::vector<eval::MusicStats>& human) {
    std::vector<double> notes;
    for (const eval::MusicStats& s : human) notes.push_back(s.notes);
    if (notes.empty()) return 0;
    std::nth_element(notes.begin(), notes.begin() + static_cast<std::ptrdiff_t>(notes.size() / 2), notes.end());
    return static_cast<std::size_t>(notes[notes.size() / 2]);
}

// The median share of distinct 4-onset runs of some pieces.
double median_repetition(const std::vector<eval::MusicStats>& pieces) {
    std::vector<double> shares;
    for (const eval::MusicStats& s : pieces) shares.push_back(s.distinct_4grams);
    std::sort(shares.begin(), shares.end());
    return eval::quantile(shares, 0.5);
}

}  // namespace

bool repeats_more_than(const std::vector<eval::MusicStats>& composed, const std::vector<eval::MusicStats>& human) {
    constexpr double repetition_tolerance = 0.15;
    return !composed.empty() && !human.empty() && median_repetition(composed) < median_repetition(human) - repetition_tolerance;
}

bool ranks_before(const DecodingTrial& a, const DecodingTrial& b) {
    if (a.repeats_more != b.repeats_more) return b.repeats_more;
    return a.distance.total < b.distance.total;
}

std::vector<std::size_t> stage_quotas(const std::vector<std::size_t>& sizes, std::size_t affordable) {
    std::size_t total = 0;
    for (const std::size_t s : sizes) total += s;
    if (affordable >= total) return sizes;
    std::vector<std::size_t> quotas;
    std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, stage)
    std::size_t given = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        quotas.push_back(sizes[i] * affordable / total);
        remainders.emplace_back(sizes[i] * affordable % total, i);
        given += quotas.back();
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < affordable; ++k, ++given) ++quotas[remainders[k].second];
    return quotas;
}

std::vector<eval::MusicStats> held_out_stats(const model::ModelInfo& info, std::size_t notes) {
    std::vector<eval::MusicStats> stats;
    if (!info.vocabulary.contains(music::piece_start_token)) return stats;
    for (const auto piece : split_pieces(info.held_out_ids, info.vocabulary.id(music::piece_start_token))) {
        std::vector<std::string> tokens;
        for (const std::int64_t id : piece) tokens.push_back(info.vocabulary.token(id));
        music::Score score = piece_score(info, tokens);
        if (notes > 0 && score.notes.size() > notes) score.notes.resize(notes);
        if (eval::measurable(score)) stats.push_back(eval::music_stats(music::heard(score)));
    }
    return stats;
}

DecodingCalibration calibrate_decoding(model::LoadedModel& model, double temperature, double budget_seconds) {
    DecodingCalibration calibration;
    std::vector<eval::MusicStats> human = held_out_stats(model.info);
    const std::size_t median = median_notes(human);
    if (median == 0) throw std::invalid_argument("the model holds no held-out pieces to calibrate against");
    calibration.notes = std::clamp(median, shortest_calibration, longest_calibration);
    // Whole held-out pieces, as `evaluate` compares with, unless the composed ones are shorter than
    // the median: then the longer held-out pieces are cut, so length alone (range and repetition
    // grow with it) does not count.
    if (calibration.notes < median) human = held_out_stats(model.info, calibration.notes);
    const TrainingCopies copies(model.info);
    const std::vector<std::size_t> human_runs = copies.held_out_runs();
    calibration.pieces = calibration_pieces;
    calibration.longest_human_copy = human_runs.empty() ? 0 : *std::max_element(human_runs.begin(), human_runs.end());

    const model::MemoryWeights memory = model::stored_memory_weights(model.info.training);
    ComposeOptions options;
    options.length.amount = static_cast<double>(calibration.notes);
    options.count = calibration_pieces;
    options.sampling.temperature = temperature;
    // Under the guard at generate's limit: it forbids some continuations, and so shapes the pieces.
    const std::size_t limit = human_runs.empty() ? 0 : default_copy_limit(human_runs);
    const auto use = [&](const DecodingTrial& t) {
        options.sampling.top_p = t.top_p;
        options.sampling.time_top_p = t.time_top_p;
        options.sampling.time_temperature = t.time_temperature;
        options.sampling.duration_top_p = t.duration_top_p;
        options.sampling.duration_temperature = t.duration_temperature;
        options.memory = model::scaled(memory, t.memory);
        options.key_pull = t.key_pull;
        options.max_copy = limit > 0 ? std::optional<std::size_t>(limit) : std::nullopt;
    };
    const auto trial = [&](DecodingTrial t) {
        use(t);
        std::vector<eval::MusicStats> composed;
        for (const ComposedPiece& piece : compose_lm(model, options, &copies)) {
            const music::Score score = piece_score(model.info, piece.tokens);
            if (eval::measurable(score)) composed.push_back(eval::music_stats(music::heard(score)));
        }
        // A setting whose pieces hold no pitched notes at all is as far as can be.
        t.distance = composed.empty() ? eval::SetDistance{{}, 1} : eval::set_distance(composed, human);
        t.repeats_more = repeats_more_than(composed, human);
        calibration.tried.push_back(t);
        if (calibration.tried.size() == 1 || ranks_before(t, calibration.chosen)) calibration.chosen = t;
    };
    const bool timed = !token_classes(model.info.tokenizer, model.info.vocabulary).empty();
    const double strength = memory.on() ? first_memory : 0, key_pull = timed ? first_key_pull : 0;
    const DecodingTrial first{pitch_top_ps[0], 1, temperature, strength, key_pull, first_duration_top_p,
                              first_duration_temperature, {}};

    // The stages after the first trial: the rest of the pitch top-ps; the time temperature and the
    // memory's strength together (ranked by the two values' places in their lists); the key pull;
    // the time top-p; the durations'. Each later stage varies the best trial so far.
    using Change = std::vector<std::pair<double DecodingTrial::*, double>>;
    std::vector<std::vector<Change>> stages(5);
    for (std::size_t i = 1; i < std::size(pitch_top_ps); ++i) stages[0].push_back({{&DecodingTrial::top_p, pitch_top_ps[i]}});
    const std::vector<double> time_temperature_grid =
        timed ? std::vector<double>(std::begin(time_temperatures), std::end(time_temperatures)) : std::vector<double>{temperature};
    const std::vector<double> memory_grid =
        memory.on() ? std::vector<double>(std::begin(memories), std::end(memories)) : std::vector<double>{first.memory};
    std::vector<std::pair<std::size_t, Change>> pairs;  // (rank, change)
    for (std::size_t i = 0; i < time_temperature_grid.size(); ++i)
        for (std::size_t j = 0; j < memory_grid.size(); ++j)
            if (time_temperature_grid[i] != first.time_temperature || memory_grid[j] != first.memory)
                pairs.push_back({i + j, {{&DecodingTrial::time_temperature, time_temperature_grid[i]},
                                         {&DecodingTrial::memory, memory_grid[j]}}});
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto& [rank, change] : pairs) stages[1].push_back(std::move(change));
    if (timed) {
        for (const double k : key_pulls) stages[2].push_back({{&DecodingTrial::key_pull, k}});
        for (const double p : time_top_ps) stages[3].push_back({{&DecodingTrial::time_top_p, p}});
        for (const auto& [t, p] : duration_settings)
            stages[4].push_back({{&DecodingTrial::duration_temperature, t}, {&DecodingTrial::duration_top_p, p}});
    }
    std::vector<std::size_t> sizes;
    for (const auto& stage : stages) sizes.push_back(stage.size());
    const bool measure_copying = !human_runs.empty();
    calibration.planned = 1;
    for (const std::size_t n : sizes) calibration.planned += n;

    // The first trial's time prices the others (each composes as many pieces as long): the plan
    // keeps what fits the budget, the run without the guard included.
    const auto started = std::chrono::steady_clock::now();
    trial(first);
    const double each = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double left = budget_seconds - each * (1 + measure_copying);
    const auto affordable = static_cast<std::size_t>(std::max(0.0, each > 0 ? left / each : 1e9));
    const std::vector<std::size_t> quotas = stage_quotas(sizes, affordable);
    for (std::size_t s = 0; s < stages.size(); ++s) {
        const DecodingTrial base = calibration.chosen;
        for (std::size_t i = 0; i < quotas[s]; ++i) {
            DecodingTrial t = base;
            for (const auto& [setting, value] : stages[s][i]) t.*setting = value;
            trial(t);
        }
    }
    // How much the model copies by itself, for train's small-folder warning: the chosen setting once
    // more without the guard (under it, no piece gets past the limit, so none would ever count).
    if (measure_copying) {
        use(calibration.chosen);
        options.max_copy.reset();
        for (const ComposedPiece& piece : compose_lm(model, options, &copies))
            calibration.copying += piece.longest_copy > calibration.longest_human_copy;
    }
    return calibration;
}

}  // namespace pianola::compose
