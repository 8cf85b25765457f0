// Filling in the middle: the layout (a gap of whole bars moved after the bars that follow it,
// behind markers), the training epochs that use it for a share of their pieces and leave the
// rest as they were, and a model trained so writing a gap toward the bars after it, which a
// model trained in order cannot.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "TestFiles.h"
#include "TinyJob.h"
#include "compose/Infill.h"
#include "model/ModelFile.h"
#include "music/FillInTheMiddle.h"
#include "train/EpochStreams.h"
#include "train/PieceSplit.h"

using namespace pianola;

namespace {

using Ids = std::vector<std::int64_t>;
using Tokens = std::vector<std::string>;

// Pieces of `bars` 4/4 bars, each bar one whole note; piece p's notes are all `pitches[p % size]`.
music::Corpus one_pitch_corpus(int pieces, int bars, const std::vector<int>& pitches) {
    music::Corpus corpus;
    corpus.tokenizer = music::TimedTokenizer();
    for (int p = 0; p < pieces; ++p) {
        const std::string pitch = "pitch:" + std::to_string(pitches[static_cast<std::size_t>(p) % pitches.size()]);
        Tokens tokens;
        for (int bar = 0; bar < bars; ++bar) tokens.insert(tokens.end(), {"bar", "pos:0", pitch, "dur:48"});
        corpus.add_piece("piece" + std::to_string(p) + ".mid", tokens, bars, 500000);
    }
    return corpus;
}

Tokens tokens_of(const music::Vocabulary& vocabulary, const Ids& ids) {
    Tokens tokens;
    for (const std::int64_t id : ids) tokens.push_back(vocabulary.token(id));
    return tokens;
}

}  // namespace

TEST(FillInTheMiddle, LaysTheGapOutAfterTheBarsThatFollowIt) {
    const music::FillMarkers m{100, 101, 102};
    // A piece start (0) and five bars (bar = 9): [9 1] [9 2] [9 3] [9 4] [9 5].
    const Ids piece{0, 9, 1, 9, 2, 9, 3, 9, 4, 9, 5};
    // Gap: the second bar; after it: the next two; the rest: the last bar.
    EXPECT_EQ(music::arranged_to_fill(piece, {3, 5, 9}, m), (Ids{0, 9, 1, 100, 9, 3, 9, 4, 101, 9, 2, 102, 9, 5}));
    EXPECT_EQ(music::fill_look_ahead(piece, {3, 5, 9}, m), (Ids{100, 9, 3, 9, 4, 101}));
    // A gap at the end has nothing after it; a gap from the start, nothing before it.
    EXPECT_EQ(music::arranged_to_fill(piece, {9, 11, 11}, m), (Ids{0, 9, 1, 9, 2, 9, 3, 9, 4, 100, 101, 9, 5, 102}));
    EXPECT_EQ(music::arranged_to_fill(piece, {1, 5, 11}, m), (Ids{0, 100, 9, 3, 9, 4, 9, 5, 101, 9, 1, 9, 2, 102}));
    // The cut: 2 bars read again before the gap (as far as the piece has them), 4 bars after it.
    const std::vector<std::size_t> bars{1, 3, 5, 7, 9};
    EXPECT_EQ(music::fill_cut(bars, 11, 3, 1).head_end, 3u);
    EXPECT_EQ(music::fill_cut(bars, 11, 3, 1).gap_end, 9u);
    EXPECT_EQ(music::fill_cut(bars, 11, 3, 1).after_end, 11u);
    EXPECT_EQ(music::fill_cut(bars, 11, 1, 1).head_end, 1u);
    EXPECT_EQ(music::fill_cut(bars, 11, 0, 1).after_end, 11u);
    EXPECT_EQ(music::fill_cut(bars, 11, 0, 1).gap_end, 3u);

    EXPECT_FALSE(music::fill_markers(music::Vocabulary({"<piece>", "<fill>", "bar"})));
    const music::Vocabulary with({"<after>", "<fill>", "<filled>", "<piece>", "bar"});
    ASSERT_TRUE(music::fill_markers(with));
    EXPECT_EQ(with.token(music::fill_markers(with)->filled), "<filled>");
}

// Every piece of an epoch at fill rate 1 is its piece with one gap of 1 to 8 whole bars, and the
// (up to 2) bars before it, moved behind the (up to 4) bars after it; at rate 0 the stream is
// exactly the set's pieces.
TEST(FillInTheMiddle, AFillingEpochMovesOneGapOfWholeBarsInEachPiece) {
    const music::Corpus corpus = one_pitch_corpus(12, 14, {60, 64, 67});
    const train::PieceSplit split = train::split_pieces(12, 0.0, 1);
    EXPECT_FALSE(train::make_sequence_set(corpus, split, 0).fill) << "no markers unless asked";
    const train::SequenceSet set = train::make_sequence_set(corpus, split, 0, nullptr, true);
    ASSERT_TRUE(set.fill);
    std::vector<Tokens> pieces;
    for (const Ids& piece : set.train) pieces.push_back(tokens_of(set.vocabulary, piece));

    // One row as long as the stream: batch(0) is all of it.
    const auto stream_of = [&](double rate, int epoch) {
        const train::StreamBatch b = train::EpochStreams(set, 1, 1'000'000, 3, epoch, {}, rate).batch(0);
        const torch::Tensor all = torch::cat({b.inputs[0], b.targets[0].slice(0, -1)});
        return tokens_of(set.vocabulary, Ids(all.data_ptr<std::int64_t>(), all.data_ptr<std::int64_t>() + all.numel()));
    };
    const auto split_at_starts = [](const Tokens& stream) {
        std::vector<Tokens> out;
        for (const std::string& token : stream) {
            if (token == "<piece>") out.emplace_back();
            out.back().push_back(token);
        }
        return out;
    };
    const auto bars_in = [](auto begin, auto end) { return std::count(begin, end, std::string("bar")); };

    for (const Tokens& piece : split_at_starts(stream_of(0, 1)))
        EXPECT_NE(std::find(pieces.begin(), pieces.end(), piece), pieces.end());
    std::set<long> gaps;
    for (const int epoch : {1, 2, 3}) {
        const std::vector<Tokens> laid_out = split_at_starts(stream_of(1, epoch));
        ASSERT_EQ(laid_out.size(), pieces.size());
        for (const Tokens& piece : laid_out) {
            const auto after = std::find(piece.begin(), piece.end(), "<after>");
            const auto fill = std::find(piece.begin(), piece.end(), "<fill>");
            const auto filled = std::find(piece.begin(), piece.end(), "<filled>");
            ASSERT_TRUE(after < fill && fill < filled && filled < piece.end());
            EXPECT_EQ(std::count_if(piece.begin(), piece.end(), [](const std::string& t) { return t.starts_with("<"); }), 4);
            // The gap and the bars read again before it open on a bar and hold 1 to 10 of them; the
            // bars after it, up to 4.
            EXPECT_EQ(*(fill + 1), "bar");
            const long gap = bars_in(fill + 1, filled);
            EXPECT_TRUE(gap >= 1 && gap <= train::max_fill_bars + music::fill_reread_bars) << gap;
            gaps.insert(gap);
            const long ahead = bars_in(after + 1, fill);
            const long rest = bars_in(filled + 1, piece.end());
            EXPECT_EQ(ahead, std::min(4L, ahead + rest));
            // Put back in order, it is the piece.
            Tokens in_order(piece.begin(), after);
            in_order.insert(in_order.end(), fill + 1, filled);
            in_order.insert(in_order.end(), after + 1, fill);
            in_order.insert(in_order.end(), filled + 1, piece.end());
            EXPECT_NE(std::find(pieces.begin(), pieces.end(), in_order), pieces.end());
        }
    }
    EXPECT_GT(gaps.size(), 3u) << "gaps of several lengths";
}

// Pieces of one pitch throughout, two pitches: infilling the first two bars, a model that read
// the bars after the gap writes their pitch; a model trained in order starts both pieces alike.
TEST(FillInTheMiddle, AModelTrainedToFillWritesTheGapTowardTheBarsAfterIt) {
    fixtures::TempDir dir;
    const music::Corpus corpus = one_pitch_corpus(16, 8, {60, 67});
    const train::PieceSplit split = train::split_pieces(16, 0.125, 1);
    const auto trained = [&](double fill_rate, const std::string& name) {
        train::LmJob job = fixtures::tiny_job(dir / name);
        job.recipe.transpose = 0;
        job.recipe.epochs = 40;
        job.recipe.patience = 40;
        job.recipe.lr_decay = 1.0;  // validation (in order) soon stops moving; the gap goes on being learned
        job.recipe.fill_rate = fill_rate;
        train::train_lm(train::make_sequence_set(corpus, split, 0, nullptr, fill_rate > 0), job);
        return model::load_model(dir / name);
    };
    const auto first_pitches = [](model::LoadedModel& model, const Tokens& piece) {
        compose::InfillOptions options;
        options.first_bar = 1;
        options.last_bar = 2;
        options.candidates = 1;  // argmax (temperature 0): what the network finds likeliest
        const compose::InfilledPiece out = compose::infill(model, piece, options);
        std::set<std::string> pitches;
        for (std::size_t i = out.region_begin; i < out.region_end; ++i)
            if (out.tokens[i].starts_with("pitch:")) pitches.insert(out.tokens[i]);
        return pitches;
    };
    const Tokens low = corpus.tokens(corpus.pieces[0]), high = corpus.tokens(corpus.pieces[1]);

    model::LoadedModel filling = trained(1.0, "fill.pianola");
    EXPECT_EQ(first_pitches(filling, low), (std::set<std::string>{"pitch:60"}));
    EXPECT_EQ(first_pitches(filling, high), (std::set<std::string>{"pitch:67"}));
    model::LoadedModel in_order = trained(0.0, "order.pianola");
    EXPECT_EQ(first_pitches(in_order, low), first_pitches(in_order, high));
}
