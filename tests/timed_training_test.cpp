// The timed tokenizer through training and composition: transposition augmentation moves pitch
// tokens only, validation reports bits per note, the model file keeps the tokenizer and the tempo
// (and reads older files as seed models), generation samples only well-formed timed sequences, and
// the composed piece keeps the rhythm it predicted.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "TestFiles.h"
#include "TinyJob.h"
#include "compose/LmComposer.h"
#include "compose/PieceScore.h"
#include "compose/TokenRules.h"
#include "music/Ensemble.h"
#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "model/ModelFile.h"
#include "train/LmTrainer.h"
#include "train/PieceSplit.h"

using namespace pianola;

namespace {

using Tokens = std::vector<std::string>;

// Pieces of one rhythmic phrase (a dotted quarter, an eighth, a chord over two octaves, a rest),
// each starting at another point of the phrase and in another key, at 90 BPM but the last.
music::Corpus timed_corpus(int pieces, int bars) {
    const music::TimedTokenizer tokenizer;
    music::Corpus corpus;
    corpus.tokenizer = tokenizer;
    for (int p = 0; p < pieces; ++p) {
        music::Score score;
        score.ticks_per_quarter = 480;
        for (int bar = 0; bar < bars; ++bar) {
            const auto start = static_cast<std::uint32_t>(bar * 1920 + (p % 2) * 480);
            const int key = 60 + p % 3;
            for (const auto& [offset, length, pitch] : {std::array<int, 3>{0, 720, key}, {720, 240, key + 2},
                                                        {960, 480, key - 12}, {960, 480, key + 4}, {960, 480, key + 7}}) {
                music::Note note;
                note.start_tick = start + static_cast<std::uint32_t>(offset);
                note.end_tick = note.start_tick + static_cast<std::uint32_t>(length);
                note.pitch = static_cast<std::uint8_t>(pitch);
                score.notes.push_back(note);
            }
        }
        corpus.add_piece("piece" + std::to_string(p) + ".mid", tokenizer.tokenize(score),
                         static_cast<std::int64_t>(score.notes.size()), p + 1 < pieces ? 666667u : 500000u);
    }
    return corpus;
}

Tokens decode_ids(const train::SequenceSet& set, const train::TokenIds& ids) {
    Tokens tokens;
    for (std::int64_t id : ids) tokens.push_back(set.vocabulary.token(id));
    return tokens;
}

// The tokens `rules` leaves open next, of those that begin with `prefix`, where the caller has
// closed those beginning with one of `closed` (their logits -infinity before the rules').
std::set<std::string> open_tokens(const compose::TokenRules& rules, const music::Vocabulary& vocabulary,
                                  std::string_view prefix = "", std::initializer_list<std::string_view> closed = {}) {
    std::vector<float> scores(vocabulary.size(), 0.0f);
    for (std::size_t id = 0; id < scores.size(); ++id)
        for (const std::string_view c : closed)
            if (vocabulary.token(static_cast<std::int64_t>(id)).starts_with(c)) scores[id] = -std::numeric_limits<float>::infinity();
    rules.forbid(scores);
    std::set<std::string> open;
    for (std::size_t id = 0; id < scores.size(); ++id) {
        const std::string& token = vocabulary.token(static_cast<std::int64_t>(id));
        if (scores[id] == 0.0f && token.starts_with(prefix)) open.insert(token);
    }
    return open;
}

}  // namespace

TEST(TimedSequenceSet, TransposesPitchTokensOnlyAndCountsValidationNotes) {
    const music::Corpus made = timed_corpus(3, 2);
    music::Corpus corpus;
    corpus.tokenizer = made.tokenizer;
    for (const music::CorpusPiece& piece : made.pieces) {
        Tokens tokens = made.tokens(piece);
        if (corpus.pieces.empty()) tokens.insert(tokens.end(), {"pos:40", "pitch:126", "dur:1"});  // +2 would leave MIDI's range
        corpus.add_piece(piece.path, tokens, piece.notes, piece.tempo_us);
    }
    const train::SequenceSet set = train::make_sequence_set(corpus, {{0, 1}, {2}}, 2);
    EXPECT_TRUE(std::holds_alternative<music::TimedTokenizer>(set.tokenizer));
    EXPECT_EQ(set.tempo_us, 666667u);
    EXPECT_EQ(set.validation_notes, corpus.pieces[2].notes);
    EXPECT_TRUE(set.transposed(0, 2).empty());
    EXPECT_FALSE(set.transposed(0, 1).empty());
    const Tokens original = decode_ids(set, set.train[1]), down = decode_ids(set, set.transposed(1, -2));
    ASSERT_EQ(original.size(), down.size());
    for (std::size_t i = 0; i < original.size(); ++i) {
        if (original[i].starts_with("pitch:"))
            EXPECT_EQ(std::stoi(down[i].substr(6)), std::stoi(original[i].substr(6)) - 2);
        else
            EXPECT_EQ(down[i], original[i]);
    }
}

// The sequence set keeps each training piece once and moves it through per-shift id tables; on a
// real corpus that must give exactly what transposing every token of every piece gives, and a
// vocabulary of exactly those tokens.
TEST(TimedSequenceSet, ShiftTablesEqualTransposingEveryTokenOnFfPiano) {
    const std::filesystem::path corpora = fixtures::shared_corpora();
    if (corpora.empty()) GTEST_SKIP() << "../shared/corpora not present";
    const music::Corpus corpus = music::load_corpus({corpora / "ff-piano"}, 2, music::default_tokenizer());
    const train::PieceSplit split = train::split_pieces(corpus.pieces.size(), 0.1, 1);
    const int transpose = 5;
    const train::SequenceSet set = train::make_sequence_set(corpus, split, transpose);
    std::set<std::string> expected_vocabulary{std::string(music::piece_start_token)};
    std::size_t moved_pieces = 0;
    for (std::size_t i = 0; i < split.train.size(); ++i) {
        const std::vector<std::string> tokens = corpus.tokens(corpus.pieces[split.train[i]]);
        for (int shift = -transpose; shift <= transpose; ++shift) {
            std::vector<std::string> moved;
            for (const std::string& token : tokens)
                if (auto t = music::transpose(corpus.tokenizer, token, shift)) moved.push_back(*t);
            if (moved.size() < tokens.size()) {
                EXPECT_TRUE(set.transposed(i, shift).empty()) << i << " " << shift;
                continue;
            }
            expected_vocabulary.insert(moved.begin(), moved.end());
            moved.insert(moved.begin(), std::string(music::piece_start_token));
            ASSERT_EQ(decode_ids(set, set.transposed(i, shift)), moved) << i << " " << shift;
            ++moved_pieces;
        }
    }
    for (std::size_t piece : split.validation) {
        const std::vector<std::string> tokens = corpus.tokens(corpus.pieces[piece]);
        expected_vocabulary.insert(tokens.begin(), tokens.end());
    }
    EXPECT_EQ(set.vocabulary.tokens(), std::vector<std::string>(expected_vocabulary.begin(), expected_vocabulary.end()));
    EXPECT_EQ(moved_pieces, split.train.size() * (2 * transpose + 1));  // a piano stays within MIDI's range
}

TEST(TokenRules, SeedTokensAreFreeAndTimedTokensFollowTheGrammar) {
    const music::Vocabulary seed_vocabulary({"<piece>", "C4", "0.4.7"});
    compose::TokenRules seed(music::SeedTokenizer(), seed_vocabulary);
    std::vector<float> logits(3, 0.0f);
    seed.forbid(logits);
    EXPECT_EQ(logits, (std::vector<float>{0.0f, -INFINITY, 0.0f}));  // ids in byte order: 0.4.7, <piece>, C4
    seed.push(seed_vocabulary.id("C4"));
    EXPECT_EQ(seed.notes(), 1);

    const music::Vocabulary vocabulary({"<piece>", "bar", "pos:0", "pitch:60", "dur:12", "shift:3"});
    compose::TokenRules timed(music::TimedTokenizer(), vocabulary);
    EXPECT_EQ(open_tokens(timed, vocabulary), (std::set<std::string>{"bar"}));
    timed.push(vocabulary.id("bar"));
    EXPECT_EQ(open_tokens(timed, vocabulary), (std::set<std::string>{"bar", "pos:0"}));
    timed.push(vocabulary.id("pos:0"));
    timed.push(vocabulary.id("pitch:60"));
    EXPECT_EQ(open_tokens(timed, vocabulary), (std::set<std::string>{"dur:12"}));
    EXPECT_EQ(timed.notes(), 0);
    timed.push(vocabulary.id("dur:12"));
    EXPECT_EQ(timed.notes(), 1);

    compose::TokenRules stuck(music::TimedTokenizer(), music::Vocabulary({"<piece>", "pitch:60"}));
    std::vector<float> scores(2, 0.0f);
    EXPECT_THROW(stuck.forbid(scores), std::invalid_argument);
}

TEST(TokenRules, AChordsPitchesAscendAndComposedOnesNeverRepeat) {
    const music::Vocabulary vocabulary({"<piece>", "bar", "pos:0", "pos:6", "pitch:55", "pitch:60", "pitch:64", "dur:6"});
    compose::TokenRules rules(music::TimedTokenizer(), vocabulary);
    const auto open_pitches = [&] { return open_tokens(rules, vocabulary, "pitch:"); };
    const auto push = [&](std::initializer_list<const char*> tokens) {
        for (const char* t : tokens) rules.push(vocabulary.id(t));
    };
    push({"bar", "pos:0", "pitch:60", "dur:6"});
    EXPECT_EQ(open_pitches(), (std::set<std::string>{"pitch:60", "pitch:64"}));  // a primer may double a pitch
    rules.begin({compose::PieceLength::Unit::notes, 8}, 500000);
    EXPECT_EQ(open_pitches(), (std::set<std::string>{"pitch:64"}));
    push({"pitch:64", "dur:6"});
    EXPECT_TRUE(open_pitches().empty());
    push({"pos:6"});  // a new onset: any pitch again
    EXPECT_EQ(open_pitches(), (std::set<std::string>{"pitch:55", "pitch:60", "pitch:64"}));
}

// A band model's loudness and instrument tokens open a note as the tokenizer writes them, and an
// onset's notes come in its order: instruments by program, drums last. (A model of the Debian
// corpus drew "vel:1 prog:65 vel:1 prog:65 ..." for a whole piece and wrote a file without notes.)
TEST(TokenRules, ALoudnessOrInstrumentOpensANoteOnceAndAnOnsetKeepsTheTokenizersOrder) {
    const music::Vocabulary vocabulary({"<piece>", "bar", "pos:0", "pos:6", "vel:1", "vel:2", "prog:0", "prog:24", "prog:33",
                                        "pitch:40", "pitch:60", "pitch:64", "drum:36", "drum:42", "dur:6"});
    music::TimedOptions options;
    options.velocity_levels = 4;
    options.instruments = music::Instruments::all;
    compose::TokenRules rules(music::TimedTokenizer(options), vocabulary);
    const auto push = [&](std::initializer_list<const char*> tokens) {
        for (const char* t : tokens) rules.push(vocabulary.id(t));
    };
    rules.begin({compose::PieceLength::Unit::notes, 16}, 500000);
    // Before the first onset no note may come, so neither may what opens one.
    EXPECT_EQ(open_tokens(rules, vocabulary), (std::set<std::string>{"bar"}));
    push({"bar", "pos:0"});
    EXPECT_EQ(open_tokens(rules, vocabulary, "vel:"), (std::set<std::string>{"vel:1", "vel:2"}));
    // A position holds a note before time moves on (a file has no empty onsets), where one may come.
    EXPECT_TRUE(open_tokens(rules, vocabulary, "pos:").empty());
    EXPECT_TRUE(open_tokens(rules, vocabulary, "bar").empty());
    EXPECT_EQ(open_tokens(rules, vocabulary, "", {"vel:", "prog:", "pitch:", "drum:"}), (std::set<std::string>{"bar", "pos:6"}));
    // Where the caller closes the pitches (Accompany: the tune's register), no instrument opens a
    // note, and a loudness only where a drum may follow; with the drums closed too, neither.
    EXPECT_TRUE(open_tokens(rules, vocabulary, "prog:", {"pitch:"}).empty());
    EXPECT_EQ(open_tokens(rules, vocabulary, "vel:", {"pitch:"}), (std::set<std::string>{"vel:1", "vel:2"}));
    EXPECT_TRUE(open_tokens(rules, vocabulary, "vel:", {"pitch:", "drum:"}).empty());
    push({"vel:1"});
    // One loudness before a note; an instrument may follow it.
    EXPECT_TRUE(open_tokens(rules, vocabulary, "vel:").empty());
    EXPECT_EQ(open_tokens(rules, vocabulary, "prog:"), (std::set<std::string>{"prog:0", "prog:24", "prog:33"}));
    push({"prog:24"});
    EXPECT_TRUE(open_tokens(rules, vocabulary, "vel:").empty());
    EXPECT_TRUE(open_tokens(rules, vocabulary, "prog:").empty());
    EXPECT_TRUE(open_tokens(rules, vocabulary, "drum:").empty());  // the tokenizer never names an instrument for a drum
    push({"pitch:60", "dur:6"});
    // A lower program than the onset's last comes first in the tokenizer's order, so not after it;
    // the next instrument's pitches start from the bottom.
    EXPECT_EQ(open_tokens(rules, vocabulary, "vel:"), (std::set<std::string>{"vel:1", "vel:2"}));
    EXPECT_EQ(open_tokens(rules, vocabulary, "prog:"), (std::set<std::string>{"prog:24", "prog:33"}));
    EXPECT_EQ(open_tokens(rules, vocabulary, "pitch:"), (std::set<std::string>{"pitch:64"}));
    push({"prog:33"});
    EXPECT_EQ(open_tokens(rules, vocabulary, "pitch:"), (std::set<std::string>{"pitch:40", "pitch:60", "pitch:64"}));
    push({"pitch:40", "dur:6", "drum:42", "dur:6"});
    // After a drum only higher drums, no pitched note, no instrument.
    EXPECT_EQ(open_tokens(rules, vocabulary, "drum:"), std::set<std::string>{});
    EXPECT_TRUE(open_tokens(rules, vocabulary, "pitch:").empty());
    EXPECT_TRUE(open_tokens(rules, vocabulary, "prog:").empty());
    push({"pos:6"});  // a new onset: any program
    EXPECT_EQ(open_tokens(rules, vocabulary, "prog:"), (std::set<std::string>{"prog:0", "prog:24", "prog:33"}));
    EXPECT_EQ(open_tokens(rules, vocabulary, "drum:"), (std::set<std::string>{"drum:36", "drum:42"}));

    // Held to three instruments, the piece has them all (24, 33 and the kit): only those from here on.
    rules.limit_instruments(3);
    EXPECT_EQ(open_tokens(rules, vocabulary, "prog:"), (std::set<std::string>{"prog:24", "prog:33"}));
    EXPECT_EQ(open_tokens(rules, vocabulary, "pitch:").size(), 3u);  // the bass, in force, may play
    EXPECT_EQ(open_tokens(rules, vocabulary, "drum:"), (std::set<std::string>{"drum:36", "drum:42"}));
    rules.limit_instruments(4);
    EXPECT_EQ(open_tokens(rules, vocabulary, "prog:"), (std::set<std::string>{"prog:0", "prog:24", "prog:33"}));

    // A piece of one instrument is a pitched one: no drums, not even first.
    compose::TokenRules solo(music::TimedTokenizer(options), vocabulary);
    solo.limit_instruments(1);
    solo.begin({compose::PieceLength::Unit::notes, 16}, 500000);
    for (const char* t : {"bar", "pos:0"}) solo.push(vocabulary.id(t));
    EXPECT_TRUE(open_tokens(solo, vocabulary, "drum:").empty());
    EXPECT_EQ(open_tokens(solo, vocabulary, "pitch:").size(), 3u);
}

TEST(Ensemble, CountsThePiecesInstrumentsAsTheDecoderReadsThem) {
    EXPECT_EQ(music::ensemble_size(std::vector<std::string>{}), 0);
    EXPECT_EQ(music::ensemble_size(std::vector<std::string>{"bar", "pos:0", "pitch:60", "dur:6"}), 1);  // the piano
    // A program named but never played is no instrument; the kit counts once.
    EXPECT_EQ(music::ensemble_size(std::vector<std::string>{"bar", "pos:0", "prog:24", "prog:33", "pitch:40", "dur:6",
                                                            "drum:36", "dur:1", "pos:6", "drum:42", "dur:1", "prog:0",
                                                            "pitch:60", "dur:6"}),
              3);
}

TEST(TimedTraining, ReportsBitsPerNoteAndComposesWellFormedRhythm) {
    fixtures::TempDir dir;
    const music::Corpus corpus = timed_corpus(8, 6);
    const train::SequenceSet set = train::make_sequence_set(corpus, train::split_pieces(8, 0.25, 1), 2);
    ASSERT_GT(set.validation_notes, 0);
    train::LmJob job = fixtures::tiny_job(dir / "m.pianola");
    std::vector<eval::CrossEntropy> validation;
    job.on_epoch = [&](const train::EpochReport& r) { validation.push_back(*r.validation); };
    const train::TrainSummary summary = train::train_lm(set, job);
    ASSERT_FALSE(validation.empty());
    EXPECT_EQ(validation.back().notes, set.validation_notes);
    EXPECT_NEAR(validation.back().bits_per_note(),
                validation.back().nats / static_cast<double>(set.validation_notes) / std::numbers::ln2, 1e-12);
    EXPECT_EQ(summary.best_validation->notes, set.validation_notes);

    model::LoadedModel model = model::load_model(dir / "m.pianola");
    ASSERT_TRUE(std::holds_alternative<music::TimedTokenizer>(model.info.tokenizer));
    EXPECT_EQ(std::get<music::TimedTokenizer>(model.info.tokenizer).options(), music::TimedOptions());
    EXPECT_EQ(model.info.tempo_us, 666667u);
    EXPECT_GT(model.info.training.at("validation_bits_per_note").get<double>(), 0.0);

    const std::vector<Tokens> pieces = fixtures::composed_tokens(model, 30, 3, 11, 1.0);
    for (int k = 0; k < 3; ++k) {
        const Tokens& tokens = pieces[static_cast<std::size_t>(k)];
        // Every token fits where it stands: decoding skips nothing.
        music::TimedDecoder decoder(std::get<music::TimedTokenizer>(model.info.tokenizer));
        for (const std::string& token : tokens) {
            const auto parsed = music::parse_timed_token(token);
            ASSERT_TRUE(parsed && decoder.accepts(*parsed)) << token;
            decoder.push(*parsed);
        }
        EXPECT_EQ(decoder.notes(), 30u);
        EXPECT_EQ(tokens, fixtures::composed_tokens(model, 30, 1, 11 + k, 1.0).at(0)) << k;
        const music::Score score = compose::piece_score(model.info, tokens);
        EXPECT_EQ(score.notes.size(), 30u);
        EXPECT_EQ(score.tempo_us, 666667u);
    }
}

TEST(TimedModelFile, KeepsTheTokenizerAndReadsOlderFilesAsSeedModels) {
    fixtures::TempDir dir;
    model::ModelInfo info;
    info.tokenizer = music::TimedTokenizer({24, 4, music::TimeTokens::shifts, music::Instruments::all, true, true});
    info.tempo_us = 400000;
    info.preset = "tiny";
    info.options = model::LmModelOptions{2, 4, 1, 4, 0.0, 0.0};
    info.vocabulary = music::Vocabulary({"<piece>", "pitch:60"});
    model::LmModel net(std::get<model::LmModelOptions>(info.options));
    model::save_model(dir / "m.pianola", info, *net);
    const model::LoadedModel loaded = model::load_model(dir / "m.pianola");
    EXPECT_EQ(std::get<music::TimedTokenizer>(loaded.info.tokenizer).options(),
              (music::TimedOptions{24, 4, music::TimeTokens::shifts, music::Instruments::all, true, true}));
    EXPECT_EQ(loaded.info.tempo_us, 400000u);

    // The header as pianola wrote it before the timed tokenizer: a name, no options, no tempo.
    const std::vector<std::uint8_t> bytes = read_file(dir / "m.pianola");
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
    const auto rewrite = [&](const std::filesystem::path& path, const std::function<void(nlohmann::json&)>& edit) {
        nlohmann::json header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + static_cast<long>(length));
        edit(header);
        const std::string text = header.dump();
        std::string out(bytes.begin(), bytes.begin() + 8);
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xFF));
        out += text;
        out.append(bytes.begin() + 16 + static_cast<long>(length), bytes.end());
        write_file_atomically(path, out);
    };
    rewrite(dir / "old.pianola", [](nlohmann::json& h) {
        h["tokenizer"] = "seed";
        h.erase("tokenizer_options");
        h.erase("tempo_us");
    });
    const model::LoadedModel old = model::load_model(dir / "old.pianola");
    EXPECT_TRUE(std::holds_alternative<music::SeedTokenizer>(old.info.tokenizer));
    EXPECT_EQ(old.info.tempo_us, 500000u);

    rewrite(dir / "newer.pianola", [](nlohmann::json& h) { h["tokenizer"] = "bpe"; });
    try {
        model::load_model(dir / "newer.pianola");
        FAIL() << "read a model of an unknown tokenizer";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("newer.pianola"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("unknown tokenizer"), std::string::npos) << e.what();
    }
    // Before instruments, the pedal, tempo tokens and pedal tokens: a piano model of key-held durations at one tempo.
    rewrite(dir / "piano.pianola", [](nlohmann::json& h) {
        h["tokenizer_options"].erase("instruments");
        h["tokenizer_options"].erase("sustain");
        h["tokenizer_options"].erase("tempo");
        h["tokenizer_options"].erase("pedal");
    });
    EXPECT_EQ(std::get<music::TimedTokenizer>(model::load_model(dir / "piano.pianola").info.tokenizer).options(),
              (music::TimedOptions{24, 4, music::TimeTokens::shifts}));
    rewrite(dir / "pedal.pianola", [](nlohmann::json& h) {
        h["tokenizer_options"]["sustain"] = false;
        h["tokenizer_options"]["pedal"] = true;
    });
    EXPECT_EQ(std::get<music::TimedTokenizer>(model::load_model(dir / "pedal.pianola").info.tokenizer).options(),
              (music::TimedOptions{24, 4, music::TimeTokens::shifts, music::Instruments::all, false, true, true}));
    rewrite(dir / "both.pianola", [](nlohmann::json& h) { h["tokenizer_options"]["pedal"] = true; });
    EXPECT_THROW(model::load_model(dir / "both.pianola"), FileError) << "the pedal in durations and as tokens";
    rewrite(dir / "band.pianola", [](nlohmann::json& h) { h["tokenizer_options"]["instruments"] = "orchestra"; });
    EXPECT_THROW(model::load_model(dir / "band.pianola"), FileError);
    rewrite(dir / "bad.pianola", [](nlohmann::json& h) { h["tokenizer_options"]["steps_per_beat"] = 0; });
    EXPECT_THROW(model::load_model(dir / "bad.pianola"), FileError);
}
