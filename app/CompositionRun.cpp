#include "CompositionRun.h"

#include <fmt/core.h>

#include "compose/LmComposer.h"
#include "compose/PieceScore.h"
#include "compose/SeedComposer.h"
#include "midi/MidiWriter.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

std::filesystem::path piece_path(const std::filesystem::path& out, int k, int count) {
    if (count == 1) return out;
    std::filesystem::path numbered = out;
    numbered.replace_filename(fmt::format("{}-{}{}", out.stem().string(), k + 1, out.extension().string()));
    return numbered;
}

std::vector<std::filesystem::path> run_composition(const CompositionRequest& request) {
    model::LoadedModel model = model::load_model(request.model);
    const auto start = Clock::now();
    std::vector<std::vector<std::string>> pieces;
    if (std::holds_alternative<model::SeedModel>(model.net)) {
        for (int k = 0; k < request.count; ++k)
            pieces.push_back(compose::compose_seed(model, request.notes, request.seed + static_cast<std::uint64_t>(k),
                                                   request.temperature).tokens);
    } else {
        pieces = compose::compose_lm(model, request.notes, request.count, request.seed, request.temperature);
    }
    const double seconds = seconds_since(start);
    std::vector<std::filesystem::path> written;
    std::size_t notes = 0;  // of the first piece: a seed chord counts as one, as the seed design counted
    for (int k = 0; k < request.count; ++k) {
        written.push_back(piece_path(request.out, k, request.count));
        const music::Score score = compose::piece_score(model.info, pieces[static_cast<std::size_t>(k)]);
        if (k == 0) notes = std::holds_alternative<music::SeedTokenizer>(model.info.tokenizer) ? pieces[0].size()
                                                                                           : score.notes.size();
        midi::write_midi_file(written.back(), music::midi_from_score(score, 0));
    }
    if (request.count == 1)
        fmt::print("composed {} notes in {:.2f} s (seed {}); wrote {}\n", notes, seconds, request.seed,
                   written[0].string());
    else
        fmt::print("composed {} pieces of {} notes in {:.2f} s (seeds {} to {}); wrote {} to {}\n", request.count,
                   request.notes, seconds, request.seed, request.seed + static_cast<std::uint64_t>(request.count - 1),
                   written.front().string(), written.back().string());
    return written;
}

}  // namespace pianola::app
