// TokenCache: a corpus loaded through the cache is the corpus read without it (pieces, tokens,
// skips, warnings), cold and warm; a warm load reads nothing; a changed file is tokenized again,
// a touched one only hashed; another tokenizer or folder is another cache; a damaged cache or an
// unwritable cache folder never changes the result.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "TestFiles.h"
#include "music/Corpus.h"
#include "music/TokenCache.h"

namespace pianola::music {
namespace {

namespace fs = std::filesystem;

void expect_same_corpus(const Corpus& a, const Corpus& b) {
    ASSERT_EQ(a.pieces.size(), b.pieces.size());
    for (std::size_t i = 0; i < a.pieces.size(); ++i) {
        EXPECT_EQ(a.pieces[i].path, b.pieces[i].path);
        EXPECT_EQ(a.tokens(a.pieces[i]), b.tokens(b.pieces[i])) << a.pieces[i].path;
        EXPECT_EQ(a.pieces[i].notes, b.pieces[i].notes);
        EXPECT_EQ(a.pieces[i].tempo_us, b.pieces[i].tempo_us);
    }
    ASSERT_EQ(a.skipped.size(), b.skipped.size());
    for (std::size_t i = 0; i < a.skipped.size(); ++i) {
        EXPECT_EQ(a.skipped[i].path, b.skipped[i].path);
        EXPECT_EQ(a.skipped[i].reason, b.skipped[i].reason);
    }
    ASSERT_EQ(a.warned.size(), b.warned.size());
    for (std::size_t i = 0; i < a.warned.size(); ++i) {
        EXPECT_EQ(a.warned[i].path, b.warned[i].path);
        EXPECT_EQ(a.warned[i].warnings, b.warned[i].warnings);
    }
}

class TokenCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(corpus_ / "sub");
        fixtures::write_melody(corpus_ / "a.mid", {60, 62, 64, 65});
        fixtures::write_melody(corpus_ / "b.mid", {67, 65, 64});
        fixtures::write_melody(corpus_ / "sub" / "c.mid", {48, 55, 60});
        write_bytes("bad.mid", "MThd not a MIDI file");
        // Two notes and no end-of-track: read, with a warning.
        write_bytes("no_end.mid", std::string("MThd\0\0\0\6\0\0\0\1\0\x60MTrk\0\0\0\x08\0\x90\x3C\x40\x60\x80\x3C\x40", 30));
    }

    void write_bytes(const std::string& name, const std::string& bytes) const {
        std::ofstream(corpus_ / name, std::ios::binary) << bytes;
    }
    std::vector<fs::path> files() const { return find_midi_files({corpus_}); }
    fs::path cache_file(const Tokenizer& tokenizer = default_tokenizer()) const {
        return TokenCache::file_for(cache_dir_, {corpus_}, tokenizer);
    }

    fixtures::TempDir temp_;
    fs::path corpus_ = temp_ / "corpus";
    fs::path cache_dir_ = temp_ / "cache";
};

TEST_F(TokenCacheTest, ColdAndWarmLoadsGiveTheCorpusReadWithoutIt) {
    const Corpus plain = load_corpus({corpus_}, 2, default_tokenizer());
    ASSERT_EQ(plain.pieces.size(), 4u);
    ASSERT_EQ(plain.skipped.size(), 1u);
    ASSERT_EQ(plain.warned.size(), 1u);

    const Corpus cold = load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
    EXPECT_EQ(cold.tokenized, 5u);
    EXPECT_EQ(cold.from_cache, 0u);
    EXPECT_FALSE(cold.cache_problem);
    expect_same_corpus(plain, cold);
    EXPECT_TRUE(fs::exists(cache_file()));

    const Corpus warm = load_corpus({corpus_}, 1, default_tokenizer(), cache_dir_);
    EXPECT_EQ(warm.tokenized, 0u);
    EXPECT_EQ(warm.from_cache, 5u);
    expect_same_corpus(plain, warm);
}

TEST_F(TokenCacheTest, OnlyChangedFilesAreTokenizedAndTouchedOnesOnlyHashed) {
    TokenCache::update(cache_file(), files(), default_tokenizer(), 2);

    fixtures::write_melody(corpus_ / "a.mid", {72, 74});  // new bytes
    const fs::path b = corpus_ / "b.mid";
    fs::last_write_time(b, fs::last_write_time(b) + std::chrono::seconds(5));  // same bytes, new time
    fs::remove(corpus_ / "no_end.mid");
    fixtures::write_melody(corpus_ / "d.mid", {50});

    const TokenCache cache = TokenCache::update(cache_file(), files(), default_tokenizer(), 2);
    const TokenCacheUpdate& update = cache.last_update();
    EXPECT_EQ(update.files, 5u);
    EXPECT_EQ(update.tokenized, 2u);  // a.mid changed, d.mid new
    EXPECT_EQ(update.rehashed, 1u);   // b.mid
    EXPECT_EQ(update.unchanged, 2u);  // bad.mid, sub/c.mid
    EXPECT_TRUE(update.written);
    expect_same_corpus(load_corpus({corpus_}, 2, default_tokenizer()), load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_));

    const TokenCache again = TokenCache::update(cache_file(), files(), default_tokenizer(), 2);
    EXPECT_EQ(again.last_update().unchanged, 5u);
    EXPECT_FALSE(again.last_update().written);
}

TEST_F(TokenCacheTest, AnotherTokenizerOrFolderIsAnotherCache) {
    const Tokenizer coarse = TimedTokenizer({4, 0, TimeTokens::bars});
    EXPECT_NE(cache_file(), cache_file(coarse));
    EXPECT_NE(cache_file(), cache_file(SeedTokenizer()));
    for (const TimedOptions options : {TimedOptions{12, 4, TimeTokens::bars}, TimedOptions{12, 0, TimeTokens::shifts},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::all},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::piano, true},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::piano, false, true},
                                       TimedOptions{12, 0, TimeTokens::bars, Instruments::piano, false, false, true}})
        EXPECT_NE(cache_file(), cache_file(TimedTokenizer(options))) << tokenizer_key(TimedTokenizer(options));
    EXPECT_NE(cache_file(), TokenCache::file_for(cache_dir_, {corpus_ / "sub"}, default_tokenizer()));
    EXPECT_EQ(cache_file(), TokenCache::file_for(cache_dir_, {corpus_, corpus_ / "."}, default_tokenizer()));

    load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
    const Corpus seed = load_corpus({corpus_}, 2, SeedTokenizer(), cache_dir_);
    EXPECT_EQ(seed.from_cache, 0u);
    expect_same_corpus(load_corpus({corpus_}, 2, SeedTokenizer()), seed);
}

TEST_F(TokenCacheTest, ADamagedCacheIsWrittenAgainNeverTrusted) {
    const Corpus plain = load_corpus({corpus_}, 2, default_tokenizer());
    load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
    const std::uintmax_t size = fs::file_size(cache_file());
    std::string bytes(size, '\0');
    std::ifstream(cache_file(), std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));

    const std::vector<std::string> damaged = {
        bytes.substr(0, size / 2),                  // cut short
        bytes + "x",                                // longer than its sections
        std::string(),                              // empty
        "PNLTOKS2" + bytes.substr(8),               // another format
        bytes.substr(0, 24) + std::string(8, '\x7F') + bytes.substr(32),  // a huge record count
    };
    for (const std::string& bad : damaged) {
        std::ofstream(cache_file(), std::ios::binary | std::ios::trunc) << bad;
        const Corpus reloaded = load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
        EXPECT_EQ(reloaded.tokenized, 5u);
        expect_same_corpus(plain, reloaded);
    }
}

// Opening does not read every id; one the token table does not hold is found when the corpus is
// made from the cache, and the cache is made again (the layout is src/music/README.md's).
TEST_F(TokenCacheTest, AnIdOutsideTheTableIsFoundAndTheCacheMadeAgain) {
    const Corpus plain = load_corpus({corpus_}, 2, default_tokenizer());
    load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
    std::fstream file(cache_file(), std::ios::binary | std::ios::in | std::ios::out);
    std::uint64_t counts[2] = {};  // records, token strings: after magic, version, byte order and key
    file.seekg(24);
    file.read(reinterpret_cast<char*>(counts), sizeof counts);
    const std::uint64_t header = 56, record = 96, string = 16;
    file.seekp(static_cast<std::streamoff>(header + counts[0] * record + counts[1] * string));
    const std::uint32_t bad = 0xFFFFFFFF;
    file.write(reinterpret_cast<const char*>(&bad), sizeof bad);
    file.close();

    const Corpus reloaded = load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_);
    EXPECT_FALSE(reloaded.cache_problem);
    EXPECT_EQ(reloaded.tokenized, 5u);
    expect_same_corpus(plain, reloaded);
    EXPECT_EQ(load_corpus({corpus_}, 2, default_tokenizer(), cache_dir_).from_cache, 5u);
}

TEST_F(TokenCacheTest, AnUnwritableCacheFolderReadsTheFilesAndSaysWhy) {
    std::ofstream(temp_ / "a_file") << "not a folder";
    const Corpus corpus = load_corpus({corpus_}, 2, default_tokenizer(), temp_ / "a_file" / "cache");
    ASSERT_TRUE(corpus.cache_problem);
    EXPECT_NE(corpus.cache_problem->find("a_file"), std::string::npos) << *corpus.cache_problem;
    EXPECT_EQ(corpus.tokenized, 5u);
    expect_same_corpus(load_corpus({corpus_}, 2, default_tokenizer()), corpus);
}

TEST(TokenCacheCorpora, NottinghamThroughTheCacheIsNottinghamRead) {
    const fs::path corpora = fixtures::shared_corpora();
    if (corpora.empty()) GTEST_SKIP() << "../shared/corpora not present";
    fixtures::TempDir cache;
    const Corpus plain = load_corpus({corpora / "nottingham"}, 2, default_tokenizer());
    const Corpus cold = load_corpus({corpora / "nottingham"}, 2, default_tokenizer(), cache.path());
    const Corpus warm = load_corpus({corpora / "nottingham"}, 2, default_tokenizer(), cache.path());
    EXPECT_EQ(warm.from_cache, plain.pieces.size() + plain.skipped.size());
    expect_same_corpus(plain, cold);
    expect_same_corpus(plain, warm);
}

}  // namespace
}  // namespace pianola::music
