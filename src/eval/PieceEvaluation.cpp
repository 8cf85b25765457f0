#include "eval/PieceEvaluation.h"

#include <algorithm>
#include <stdexcept>

#include "eval/CopyIndex.h"
#include "music/IntervalSpeller.h"
#include "music/Sustain.h"
#include "music/TimedTokenizer.h"

namespace pianola::eval {

namespace {

constexpr std::size_t shared_run = 8;

std::vector<std::int32_t> narrowed(const std::vector<std::int64_t>& ids) { return {ids.begin(), ids.end()}; }

}  // namespace

Evaluation evaluate_pieces(const std::vector<NamedScore>& composed, const std::vector<NamedScore>& held_out,
                           const std::vector<std::vector<std::string>>& training) {
    const music::TimedTokenizer tokenizer;
    std::vector<std::vector<std::string>> composed_tokens, held_out_tokens;
    std::vector<std::string> all;
    for (const auto& tokens : training) all.insert(all.end(), tokens.begin(), tokens.end());
    const auto tokenize = [&](const music::Score& score, std::vector<std::vector<std::string>>& into) {
        into.push_back(tokenizer.tokenize(score));
        all.insert(all.end(), into.back().begin(), into.back().end());
    };
    for (const NamedScore& piece : composed) tokenize(piece.score, composed_tokens);
    for (const NamedScore& piece : held_out) tokenize(piece.score, held_out_tokens);
    const music::Vocabulary vocabulary(std::move(all));
    const music::IntervalSpeller speller(tokenizer, vocabulary);

    std::vector<std::vector<std::int32_t>> exact, any_key;
    for (const auto& tokens : training) {
        const std::vector<std::int64_t> ids = vocabulary.encode(tokens);
        exact.push_back(narrowed(ids));
        any_key.push_back(speller.spell(ids));
    }
    const CopyIndex exact_index(exact), any_key_index(any_key);

    const auto measure = [&](const NamedScore& piece, const std::vector<std::string>& tokens) {
        PieceEvaluation e;
        e.name = piece.name;
        try {
            e.music = music_stats(music::heard(piece.score));  // as it sounds; copying is of its keys
        } catch (const std::invalid_argument& error) {
            throw std::invalid_argument(piece.name + ": " + error.what());
        }
        const std::vector<std::int64_t> ids = vocabulary.encode(tokens);
        const std::vector<std::int32_t> symbols = narrowed(ids);
        e.tokens = ids.size();
        e.copy_exact = exact_index.longest_shared_run(symbols);
        // A run's first pitch is spelled against the pitch before the run, so a copy in the same key
        // can read one token shorter in interval spelling: a same-key copy counts in any key too.
        e.copy_any_key = std::max(e.copy_exact, any_key_index.longest_shared_run(speller.spell(ids)));
        const CopyIndex::Share share = exact_index.ngrams_found(symbols, shared_run);
        e.shared_8grams = share.total > 0 ? static_cast<double>(share.found) / static_cast<double>(share.total) : 0;
        return e;
    };
    Evaluation evaluation;
    for (std::size_t i = 0; i < held_out.size(); ++i) evaluation.held_out.push_back(measure(held_out[i], held_out_tokens[i]));
    std::vector<MusicStats> human;
    for (const PieceEvaluation& e : evaluation.held_out) human.push_back(e.music);
    for (std::size_t i = 0; i < composed.size(); ++i) {
        evaluation.composed.push_back(measure(composed[i], composed_tokens[i]));
        evaluation.composed.back().loop = looks_degenerate(evaluation.composed.back().music, human);
    }
    return evaluation;
}

}  // namespace pianola::eval
