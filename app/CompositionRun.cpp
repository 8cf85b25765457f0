#include "CompositionRun.h"

#include <fmt/core.h>

#include "compose/LmComposer.h"
#include "compose/SeedComposer.h"
#include "runtime/Stopwatch.h"

namespace pianola::app {

void run_composition(const std::filesystem::path& model_path, const std::filesystem::path& out, int notes,
                     std::uint64_t seed, double temperature) {
    model::LoadedModel model = model::load_model(model_path);
    const auto start = Clock::now();
    const std::vector<std::string> tokens = std::holds_alternative<model::SeedModel>(model.net)
                                                ? compose::compose_seed(model, notes, seed, temperature).tokens
                                                : compose::compose_lm(model, notes, seed, temperature);
    const double seconds = seconds_since(start);
    compose::write_seed_midi(tokens, out);
    fmt::print("composed {} notes in {:.2f} s (seed {}); wrote {}\n", tokens.size(), seconds, seed, out.string());
}

}  // namespace pianola::app
