#include "TokenizerFlags.h"

#include <stdexcept>

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
                   "Timed: velocity levels (default " + std::to_string(defaults.velocity_levels) + "; 0: none)")
        ->check(CLI::Range(0, 16));
    cmd.add_option("--time-tokens", flags.time_tokens,
                   "Timed: bars (bar, meter and position in the bar) or shifts (time since the last onset); default " +
                       std::string(music::time_tokens_name(defaults.time)))
        ->check(CLI::IsMember({"bars", "shifts"}));
    cmd.add_option("--instruments", flags.instruments,
                   "Timed: piano (every part but the drums as one instrument) or all (programs and drums as tokens: "
                   "a band in, a band out); default " +
                       std::string(music::instruments_name(defaults.instruments)))
        ->check(CLI::IsMember({"piano", "all"}));
    cmd.add_flag("--pedal", flags.pedal,
                 "Timed: a note lasts while the sustain pedal holds it (default: as long as its key is held)");
}

music::Tokenizer tokenizer_from(const TokenizerFlags& flags, const music::Tokenizer& fallback) {
    const bool timed_options = flags.grid || flags.velocity_levels || flags.time_tokens || flags.instruments || flags.pedal;
    if (!flags.name) {
        if (timed_options && std::holds_alternative<music::SeedTokenizer>(fallback))
            throw std::invalid_argument("--grid, --velocity-levels, --time-tokens, --instruments and --pedal need --tokenizer timed");
        if (!timed_options) return fallback;
    } else if (*flags.name == music::SeedTokenizer::name) {
        if (timed_options)
            throw std::invalid_argument("--grid, --velocity-levels, --time-tokens, --instruments and --pedal apply to the timed tokenizer only");
        return music::SeedTokenizer();
    }
    music::TimedOptions options;
    if (flags.grid) options.steps_per_beat = *flags.grid;
    if (flags.velocity_levels) options.velocity_levels = *flags.velocity_levels;
    if (flags.time_tokens) options.time = *music::parse_time_tokens(*flags.time_tokens);
    if (flags.instruments) options.instruments = *music::parse_instruments(*flags.instruments);
    options.sustain = flags.pedal;
    return music::TimedTokenizer(options);
}

}  // namespace pianola::app
