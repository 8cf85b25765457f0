#include "TokenizerFlags.h"

#include <stdexcept>

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "compose/PieceScore.h"
#include "music/Corpus.h"
#include "music/CorpusSurvey.h"

namespace pianola::app {

void add_tokenizer_flags(CLI::App& cmd, TokenizerFlags& flags) {
    const music::TimedOptions defaults;
    cmd.add_option("--tokenizer", flags.name,
                   "seed (the original design's note and chord names) or timed (onsets, durations, octaves); "
                   "default: " + std::string(music::tokenizer_name(music::default_tokenizer())) +
                       ", seed for the seed presets")
        ->check(CLI::IsMember({std::string(music::SeedTokenizer::name), std::string(music::TimedTokenizer::name)}));
    cmd.add_option("--grid", flags.grid,
                   "Timed: steps per beat (default " + std::to_string(defaults.steps_per_beat) +
                       "; 12 holds sixteenths and triplets)")
        ->check(CLI::Range(1, 96));
    cmd.add_option("--velocity-levels", flags.velocity_levels,
                   "Timed: velocity levels (0: none; default: 4 where the corpus' median piece varies its loudness, "
                   "read from up to 64 of its files, else none)")
        ->check(CLI::Range(0, 16));
    cmd.add_option("--time-tokens", flags.time_tokens,
                   "Timed: bars (bar, meter and position in the bar) or shifts (time since the last onset); default " +
                       std::string(music::time_tokens_name(defaults.time)))
        ->check(CLI::IsMember({"bars", "shifts"}));
    cmd.add_option("--instruments", flags.instruments,
                   "Timed: piano (every part but the drums as one instrument) or all (programs and drums as tokens: "
                   "a band in, a band out); default: all where at least half the files read play several "
                   "instruments (the drums one), else piano")
        ->check(CLI::IsMember({"piano", "all"}));
    cmd.add_flag("--pedal", flags.pedal,
                 "Timed: a note lasts while the sustain pedal holds it (default: as long as its key is held)");
    cmd.add_option("--tempo-changes", flags.tempo_changes,
                   "Timed: keep (each piece's tempo and its changes as tokens: the model chooses them) or drop (one "
                   "tempo, the corpus'); default: keep where at least a tenth of the files read change tempo")
        ->check(CLI::IsMember({"keep", "drop"}));
    cmd.add_option("--pedal-changes", flags.pedal_changes,
                   "Timed: keep (the sustain pedal's presses and lifts as tokens: the model pedals) or drop (default: "
                   "notes last as long as their keys are held, no pedal)")
        ->check(CLI::IsMember({"keep", "drop"}));
}

music::Tokenizer tokenizer_from(const TokenizerFlags& flags, const music::Tokenizer& fallback) {
    const bool timed_options = flags.grid || flags.velocity_levels || flags.time_tokens || flags.instruments || flags.pedal ||
                               flags.tempo_changes || flags.pedal_changes;
    if (!flags.name) {
        if (timed_options && std::holds_alternative<music::SeedTokenizer>(fallback))
            throw std::invalid_argument(
                "--grid, --velocity-levels, --time-tokens, --instruments, --pedal, --tempo-changes and --pedal-changes need "
                "--tokenizer timed");
        if (!timed_options) return fallback;
    } else if (*flags.name == music::SeedTokenizer::name) {
        if (timed_options)
            throw std::invalid_argument(
                "--grid, --velocity-levels, --time-tokens, --instruments, --pedal, --tempo-changes and --pedal-changes apply "
                "to the timed tokenizer only");
        return music::SeedTokenizer();
    }
    music::TimedOptions options;
    if (flags.grid) options.steps_per_beat = *flags.grid;
    if (flags.velocity_levels) options.velocity_levels = *flags.velocity_levels;
    if (flags.time_tokens) options.time = *music::parse_time_tokens(*flags.time_tokens);
    if (flags.instruments) options.instruments = *music::parse_instruments(*flags.instruments);
    options.sustain = flags.pedal;
    if (flags.tempo_changes) options.tempo = *flags.tempo_changes == "keep";
    if (flags.pedal_changes) options.pedal = *flags.pedal_changes == "keep";
    return music::TimedTokenizer(options);
}

CorpusTokenizer corpus_tokenizer(const TokenizerFlags& flags, const music::Tokenizer& fallback,
                                 const std::vector<std::filesystem::path>& data) {
    CorpusTokenizer out{tokenizer_from(flags, fallback), "", std::nullopt};
    const auto* timed = std::get_if<music::TimedTokenizer>(&out.tokenizer);
    if (!timed || (flags.velocity_levels && flags.tempo_changes && flags.instruments)) return out;
    const music::CorpusSurvey survey = music::survey_corpus(music::find_midi_files(data));
    music::TimedOptions options = timed->options();
    std::vector<std::string> chosen;
    if (!flags.velocity_levels) {
        options.velocity_levels = music::default_velocity_levels(survey);
        chosen.push_back(fmt::format("velocity: {} ({:.0f}% vary their loudness, the median piece by {}; "
                                     "--velocity-levels sets it)",
                                     options.velocity_levels > 0 ? fmt::format("{} levels", options.velocity_levels) : "none",
                                     100 * survey.varying, survey.median_range));
    }
    if (!flags.tempo_changes) {
        options.tempo = music::default_tempo_tokens(survey);
        chosen.push_back(fmt::format("tempo changes: {} ({:.0f}% change tempo; --tempo-changes sets it)",
                                     options.tempo ? "kept" : "dropped", 100 * survey.tempo_changing));
    }
    if (!flags.instruments) {
        options.instruments = music::default_instruments(survey);
        chosen.push_back(fmt::format("instruments: {} ({:.0f}% play several; --instruments sets it)",
                                     options.instruments == music::Instruments::all ? "all, a band in and a band out"
                                                                                     : "piano, every part as one",
                                     100 * survey.bands));
    }
    out.pedalled = survey.pedalled;
    if (!flags.pedal_changes && !flags.pedal && survey.pedalled > 0)
        chosen.push_back(fmt::format("pedal: dropped, notes as long as their keys are held ({:.0f}% press it; "
                                     "--pedal-changes keep makes it tokens; generate {} the pieces at their bass changes)",
                                     100 * survey.pedalled,
                                     survey.pedalled >= compose::pedalled_corpus_share ? "pedals" : "does not pedal"));
    out.tokenizer = music::TimedTokenizer(options);
    out.chosen = fmt::format("of {} files read: {}", survey.pieces, fmt::join(chosen, "; "));
    return out;
}

}  // namespace pianola::app
