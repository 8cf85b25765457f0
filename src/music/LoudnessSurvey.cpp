#include "music/LoudnessSurvey.h"

#include <algorithm>
#include <stdexcept>

#include "io/FileError.h"
#include "midi/MidiReader.h"
#include "music/Score.h"

namespace pianola::music {

LoudnessSurvey survey_loudness(const std::vector<std::filesystem::path>& files, std::size_t sample) {
    std::vector<int> ranges;
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
        for (const Note& note : score.notes) {
            if (note.channel == drum_channel) continue;
            softest = std::min<int>(softest, note.velocity);
            loudest = std::max<int>(loudest, note.velocity);
        }
        if (loudest >= 0) ranges.push_back(loudest - softest);
    }
    LoudnessSurvey survey;
    survey.pieces = ranges.size();
    if (ranges.empty()) return survey;
    std::sort(ranges.begin(), ranges.end());
    survey.median_range = ranges[(ranges.size() - 1) / 2];
    survey.varying = static_cast<double>(std::count_if(ranges.begin(), ranges.end(), [](int r) { return r > 0; })) /
                     static_cast<double>(ranges.size());
    return survey;
}

int default_velocity_levels(const LoudnessSurvey& survey) { return survey.median_range > 0 ? 4 : 0; }

}  // namespace pianola::music
