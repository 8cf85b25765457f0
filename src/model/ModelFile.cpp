#include "model/ModelFile.h"

#include <cstring>
#include <sstream>

#include "io/AtomicFile.h"
#include "io/FileError.h"

namespace pianola::model {

static constexpr char magic[8] = {'P', 'I', 'A', 'N', 'O', 'L', 'A', '\n'};
static constexpr int format_version = 1;

static nlohmann::json header_of(const ModelInfo& info) {
    return {{"format_version", format_version},
            {"pianola_version", PIANOLA_VERSION},
            {"tokenizer", info.tokenizer},
            {"preset", info.preset},
            {"model", {{"kind", "seed-lstm"}, {"vocab", info.options.vocab}, {"layers", info.options.layers},
                       {"hidden", info.options.hidden}, {"dense", info.options.dense},
                       {"dropout", info.options.dropout}, {"window", info.window}}},
            {"vocabulary", info.vocabulary.tokens()},
            {"hyper", info.hyper},
            {"training", info.training}};
}

void save_model(const std::filesystem::path& path, const ModelInfo& info, SeedModel& net) {
    torch::serialize::OutputArchive archive;
    net->save(archive);
    archive.write("corpus_ids", torch::tensor(info.corpus_ids, torch::kInt64), /*is_buffer=*/true);
    std::ostringstream tensors;
    archive.save_to(tensors);

    const std::string header = header_of(info).dump();
    std::string bytes(magic, sizeof magic);
    std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
    bytes += header;
    bytes += tensors.str();
    write_file_atomically(path, bytes);
}

LoadedModel load_model(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> bytes = read_file(path);
    const std::string name = path.string();
    if (bytes.size() < 16 || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
        throw FileError(name, "not a pianola model file", 0);
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
    if (length > bytes.size() - 16) throw FileError(name, "model header runs past the end of the file", 8);

    LoadedModel loaded{{}, nullptr};
    ModelInfo& info = loaded.info;
    try {
        const auto header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + length);
        if (header.at("format_version").get<int>() > format_version)
            throw FileError(name, "model written by a newer pianola (format " +
                                      header.at("format_version").dump() + ")");
        info.tokenizer = header.at("tokenizer").get<std::string>();
        info.preset = header.at("preset").get<std::string>();
        const auto& m = header.at("model");
        info.options = {m.at("vocab"), m.at("layers"), m.at("hidden"), m.at("dense"), m.at("dropout")};
        info.window = m.at("window");
        info.vocabulary = music::Vocabulary(header.at("vocabulary").get<std::vector<std::string>>());
        info.hyper = header.at("hyper");
        info.training = header.at("training");
    } catch (const nlohmann::json::exception& e) {
        throw FileError(name, std::string("damaged model header: ") + e.what(), 16);
    }
    if (static_cast<std::int64_t>(info.vocabulary.size()) != info.options.vocab)
        throw FileError(name, "damaged model header: vocabulary size does not match the model", 16);

    loaded.net = SeedModel(info.options);
    try {
        std::istringstream tensors(std::string(bytes.begin() + 16 + length, bytes.end()));
        torch::serialize::InputArchive archive;
        archive.load_from(tensors);
        loaded.net->load(archive);
        torch::Tensor ids;
        archive.read("corpus_ids", ids, /*is_buffer=*/true);
        ids = ids.to(torch::kInt64).contiguous();
        info.corpus_ids.assign(ids.data_ptr<std::int64_t>(), ids.data_ptr<std::int64_t>() + ids.numel());
    } catch (const c10::Error& e) {
        throw FileError(name, "damaged model weights: " + std::string(e.what_without_backtrace()).substr(0, 200),
                        16 + length);
    }
    for (std::int64_t id : info.corpus_ids)
        if (id < 0 || id >= info.options.vocab) throw FileError(name, "damaged model: token id out of range");
    return loaded;
}

}  // namespace pianola::model
