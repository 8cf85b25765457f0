#include "music/CorpusSurvey.h"

#include <algorithm>
#include <stdexcept>

#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "music/Score.h"
#include "music/TimedTokenizer.h"

namespace pianola::music {

namespace {

// Whether the tempo's bin differs anywhere from the first pitched onset to the last (a change
// before the first onset sets the piece's tempo; one after the last plays no note).
bool changes_tempo(const Score& score, std::uint32_t first_tick, std::uint32_t last_tick) {
    std::uint32_t at_first = score.tempo_us;
    for (const TempoChange& change : score.tempos) {
        if (change.tick > last_tick) break;
        if (change.tick <= first_tick) at_first = change.us_per_quarter;
        else if (TimedTokenizer::bin_of_tempo(change.us_per_quarter) != TimedTokenizer::bin_of_tempo(at_first)) return true;
    }
    return false;
}

}  // namespace

CorpusSurvey survey_corpus(const std::vector<std::filesystem::path>& files, std::size_t sample) {
    std::vector<int> ranges;
    std::size_t tempo_changing = 0;
    const std::size_t n = std::min(sample, files.size());
    for (std::size_t k = 0; k < n; ++k) {
        const std::filesystem::path& path = files[k * files.size() / n];
        Score score;
        try {
            score = score_from_midi(midi::read_midi_file(path));
        } catch (const FileError&) {
            continue;  // the corpus' own reading reports it
        } catch (const std::invalid_argument&) {
            continue;
        }
        int softest = 128, loudest = -1;
        std::uint32_t first = UINT32_MAX, last = 0;
        for (const Note& note : score.notes) {
            if (note.channel == drum_channel) continue;
            softest = std::min<int>(softest, note.velocity);
            loudest = std::max<int>(loudest, note.velocity);
            first = std::min(first, note.start_tick);
            last = std::max(last, note.start_tick);
        }
        if (loudest < 0) continue;
        ranges.push_back(loudest - softest);
        tempo_changing += changes_tempo(score, first, last);
    }
    CorpusSurvey survey;
    survey.pieces = ranges.size();
    if (ranges.empty()) return survey;
    std::sort(ranges.begin(), ranges.end());
    survey.median_range = ranges[(ranges.size() - 1) / 2];
    survey.varying = static_cast<double>(std::count_if(ranges.begin(), ranges.end(), [](int r) { return r > 0; })) /
                     static_cast<double>(ranges.size());
    survey.tempo_changing = static_cast<double>(tempo_changing) / static_cast<double>(ranges.size());
    return survey;
}

int default_velocity_levels(const CorpusSurvey& survey) { return survey.median_range > 0 ? 4 : 0; }

bool default_tempo_tokens(const CorpusSurvey& survey) { return survey.tempo_changing >= 0.1; }

}  // namespace pianola::music
