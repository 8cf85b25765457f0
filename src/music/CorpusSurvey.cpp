#include "music/CorpusSurvey.h"

#include <algorithm>
#include <stdexcept>

#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "music/Ensemble.h"
#include "music/Score.h"
#include "music/TimedTokenizer.h"

namespace pianola::music {

namespace {

// Whether the piece's tempo changes between its first and last onset, and whether it presses the
// sustain pedal by its last onset, as tempo and pedal tokens would say them: the tokenizer decides,
// so the survey and the tokens never disagree.
struct Controls {
    bool tempo_changing = false, pedalled = false;
};
Controls controls_of(const Score& score) {
    static const TimedTokenizer reader({12, 0, TimeTokens::shifts, Instruments::piano, false, true, true});
    Controls found;
    for (const std::string& text : reader.tokenize(score)) {
        const auto token = parse_timed_token(text);
        found.tempo_changing |= token && token->kind == TimedToken::Kind::tempo_change;
        found.pedalled |= token && token->kind == TimedToken::Kind::pedal;
    }
    return found;
}

}  // namespace

CorpusSurvey survey_corpus(const std::vector<std::filesystem::path>& files, std::size_t sample) {
    std::vector<int> ranges;
    std::size_t tempo_changing = 0, pedalled = 0, bands = 0;
    const std::size_t n = std::min(sample, files.size());
    for (std::size_t k = 0; k < n; ++k) {
        const std::filesystem::path& path = files[k * files.size() / n];
        Score score;
        Controls controls;
        try {
            score = score_from_midi(midi::read_midi_file(path));
            controls = controls_of(score);
        } catch (const FileError&) {
            continue;  // the corpus' own reading reports it
        } catch (const std::invalid_argument&) {
            continue;
        }
        int softest = 128, loudest = -1;
        for (const Note& note : score.notes) {
            if (note.channel == drum_channel) continue;
            softest = std::min<int>(softest, note.velocity);
            loudest = std::max<int>(loudest, note.velocity);
        }
        if (loudest < 0) continue;
        ranges.push_back(loudest - softest);
        tempo_changing += controls.tempo_changing;
        pedalled += controls.pedalled;
        bands += ensemble_size(score) > 1;
    }
    CorpusSurvey survey;
    survey.pieces = ranges.size();
    if (ranges.empty()) return survey;
    std::sort(ranges.begin(), ranges.end());
    survey.median_range = ranges[(ranges.size() - 1) / 2];
    survey.varying = static_cast<double>(std::count_if(ranges.begin(), ranges.end(), [](int r) { return r > 0; })) /
                     static_cast<double>(ranges.size());
    survey.tempo_changing = static_cast<double>(tempo_changing) / static_cast<double>(ranges.size());
    survey.pedalled = static_cast<double>(pedalled) / static_cast<double>(ranges.size());
    survey.bands = static_cast<double>(bands) / static_cast<double>(ranges.size());
    return survey;
}

int default_velocity_levels(const CorpusSurvey& survey) { return survey.median_range > 0 ? 4 : 0; }

bool default_tempo_tokens(const CorpusSurvey& survey) { return survey.tempo_changing >= 0.1; }

Instruments default_instruments(const CorpusSurvey& survey) {
    return survey.bands >= 0.5 ? Instruments::all : Instruments::piano;
}

}  // namespace pianola::music
