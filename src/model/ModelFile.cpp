#include "model/ModelFile.h"

#include <cstring>

#include "io/AtomicFile.h"
#include "io/FileError.h"
#include "io/MappedFile.h"

namespace pianola::model {

static constexpr char magic[8] = {'P', 'I', 'A', 'N', 'O', 'L', 'A', '\n'};
static constexpr int format_version = 1;

NetworkOptions network_options(const NextTokenOptions& options) {
    return std::visit([](const auto& o) { return NetworkOptions(o); }, options);
}

Network make_network(const NetworkOptions& options) {
    if (const auto* seed = std::get_if<SeedModelOptions>(&options)) return SeedModel(*seed);
    if (const auto* lstm = std::get_if<LmModelOptions>(&options)) return make_next_token_model(*lstm);
    return make_next_token_model(std::get<TransformerOptions>(options));
}

torch::nn::Module& module_of(Network& net) {
    return std::visit([](auto& holder) -> torch::nn::Module& { return *holder; }, net);
}

std::int64_t ModelInfo::vocab() const {
    return std::visit([](const auto& o) { return o.vocab; }, options);
}

static nlohmann::json network_header(const ModelInfo& info) {
    if (const auto* o = std::get_if<SeedModelOptions>(&info.options))
        return {{"kind", "seed-lstm"}, {"vocab", o->vocab},     {"layers", o->layers}, {"hidden", o->hidden},
                {"dense", o->dense},   {"dropout", o->dropout}, {"window", info.window}};
    if (const auto* t = std::get_if<TransformerOptions>(&info.options))
        return {{"kind", "lm-transformer"}, {"vocab", t->vocab}, {"dim", t->dim},         {"layers", t->layers},
                {"heads", t->heads},        {"ff", t->ff},       {"context", t->context}, {"dropout", t->dropout},
                {"bf16", t->bf16},          {"window", info.window}};
    const auto& o = std::get<LmModelOptions>(info.options);
    return {{"kind", "lm-lstm"},  {"vocab", o.vocab},     {"embed", o.embed},
            {"layers", o.layers}, {"hidden", o.hidden},   {"dropout", o.dropout},
            {"output_dropout", o.output_dropout},         {"window", info.window}};
}

static NetworkOptions options_from_header(const nlohmann::json& m, const std::string& name) {
    const std::string kind = m.at("kind").get<std::string>();
    if (kind == "seed-lstm") return SeedModelOptions{m.at("vocab"), m.at("layers"), m.at("hidden"), m.at("dense"),
                                                     m.at("dropout")};
    if (kind == "lm-lstm") return LmModelOptions{m.at("vocab"),  m.at("embed"),   m.at("layers"),
                                                 m.at("hidden"), m.at("dropout"), m.at("output_dropout")};
    if (kind == "lm-transformer") return TransformerOptions{m.at("vocab"), m.at("dim"),     m.at("layers"),
                                                            m.at("heads"), m.at("ff"),      m.at("context"),
                                                            m.at("dropout"), m.at("bf16")};
    throw FileError(name, "unknown model kind \"" + kind + "\" (written by a newer pianola?)", 16);
}

nlohmann::json tokenizer_options(const music::Tokenizer& tokenizer) {
    const auto* timed = std::get_if<music::TimedTokenizer>(&tokenizer);
    if (!timed) return nlohmann::json::object();
    const music::TimedOptions& o = timed->options();
    return {{"steps_per_beat", o.steps_per_beat},
            {"velocity_levels", o.velocity_levels},
            {"time", music::time_tokens_name(o.time)},
            {"instruments", music::instruments_name(o.instruments)},
            {"sustain", o.sustain},
            {"tempo", o.tempo},
            {"pedal", o.pedal}};
}

music::Tokenizer make_tokenizer(std::string_view name, const nlohmann::json& options) {
    if (name == music::SeedTokenizer::name) return music::SeedTokenizer();
    if (name != music::TimedTokenizer::name)
        throw std::invalid_argument("unknown tokenizer \"" + std::string(name) + "\" (written by a newer pianola?)");
    const auto time = music::parse_time_tokens(options.at("time").get<std::string>());
    if (!time) throw std::invalid_argument("unknown time tokens \"" + options.at("time").get<std::string>() + "\"");
    // Files from before instruments were tokens hold piano models; from before the pedal, key-held
    // durations; from before tempo tokens, one tempo; from before pedal tokens, no pedal.
    const std::string instruments_text = options.value("instruments", "piano");
    const auto instruments = music::parse_instruments(instruments_text);
    if (!instruments) throw std::invalid_argument("unknown instruments \"" + instruments_text + "\"");
    return music::TimedTokenizer({options.at("steps_per_beat").get<int>(), options.at("velocity_levels").get<int>(), *time,
                                  *instruments, options.value("sustain", false), options.value("tempo", false),
                                  options.value("pedal", false)});
}

static std::vector<std::int64_t> read_ids(torch::serialize::InputArchive& archive, const std::string& key) {
    torch::Tensor ids;
    if (!archive.try_read(key, ids, /*is_buffer=*/true)) return {};  // a file from before the key
    ids = ids.to(torch::kInt64).contiguous();
    return {ids.data_ptr<std::int64_t>(), ids.data_ptr<std::int64_t>() + ids.numel()};
}

static nlohmann::json header_of(const ModelInfo& info) {
    return {{"format_version", format_version},
            {"pianola_version", PIANOLA_VERSION},
            {"tokenizer", music::tokenizer_name(info.tokenizer)},
            {"tokenizer_options", tokenizer_options(info.tokenizer)},
            {"tempo_us", info.tempo_us},
            {"preset", info.preset},
            {"model", network_header(info)},
            {"vocabulary", info.vocabulary.tokens()},
            {"hyper", info.hyper},
            {"training", info.training}};
}

// Ids as a tensor over the vector's own memory: the training tokens of a large corpus are hundreds
// of MB, and the archive only reads them (hence the const_cast).
static torch::Tensor ids_tensor(const std::vector<std::int64_t>& ids) {
    return torch::from_blob(const_cast<std::int64_t*>(ids.data()), {static_cast<std::int64_t>(ids.size())}, torch::kInt64);
}

// Streamed to the file, header then tensors, with no copy of the whole in memory.
void save_model(const std::filesystem::path& path, const ModelInfo& info, torch::nn::Module& net) {
    torch::serialize::OutputArchive archive;
    net.save(archive);
    archive.write("corpus_ids", ids_tensor(info.corpus_ids), /*is_buffer=*/true);
    archive.write("held_out_ids", ids_tensor(info.held_out_ids), /*is_buffer=*/true);

    const std::string header = header_of(info).dump();
    std::string start(magic, sizeof magic);
    const std::uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) start.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
    start += header;
    AtomicFileWriter file(path);
    file.write({reinterpret_cast<const std::uint8_t*>(start.data()), start.size()});
    archive.save_to([&](const void* data, std::size_t size) {
        file.write({static_cast<const std::uint8_t*>(data), size});
        return size;
    });
    file.commit();
}

LoadedModel load_model(const std::filesystem::path& path) {
    const std::string name = path.string();
    const MappedFile file(path);  // read in place: a model of a large corpus holds hundreds of MB of ids
    const std::span<const std::uint8_t> bytes = file.bytes();
    if (bytes.size() < 16 || std::memcmp(bytes.data(), magic, sizeof magic) != 0)
        throw FileError(name, "not a pianola model file", 0);
    std::uint64_t length = 0;
    for (int i = 0; i < 8; ++i) length |= static_cast<std::uint64_t>(bytes[8 + i]) << (8 * i);
    if (length > bytes.size() - 16) throw FileError(name, "model header runs past the end of the file", 8);

    LoadedModel loaded{{}, SeedModel(nullptr)};
    ModelInfo& info = loaded.info;
    try {
        const auto header = nlohmann::json::parse(bytes.begin() + 16, bytes.begin() + 16 + length);
        if (header.at("format_version").get<int>() > format_version)
            throw FileError(name, "model written by a newer pianola (format " +
                                      header.at("format_version").dump() + ")");
        // Files from before the timed tokenizer have neither options nor tempo: seed models at 120 BPM.
        info.tokenizer = make_tokenizer(header.at("tokenizer").get<std::string>(),
                                        header.value("tokenizer_options", nlohmann::json::object()));
        info.tempo_us = header.value("tempo_us", info.tempo_us);
        if (info.tempo_us == 0 || info.tempo_us > 0xFFFFFF) throw FileError(name, "damaged model header: tempo out of range", 16);
        info.preset = header.at("preset").get<std::string>();
        const auto& m = header.at("model");
        info.options = options_from_header(m, name);
        info.window = m.at("window");
        info.vocabulary = music::Vocabulary(header.at("vocabulary").get<std::vector<std::string>>());
        info.hyper = header.at("hyper");
        info.training = header.at("training");
    } catch (const nlohmann::json::exception& e) {
        throw FileError(name, std::string("damaged model header: ") + e.what(), 16);
    } catch (const std::invalid_argument& e) {
        throw FileError(name, e.what(), 16);
    }
    if (static_cast<std::int64_t>(info.vocabulary.size()) != info.vocab())
        throw FileError(name, "damaged model header: vocabulary size does not match the model", 16);

    loaded.net = make_network(info.options);
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(reinterpret_cast<const char*>(bytes.data() + 16 + length), bytes.size() - 16 - length);
        module_of(loaded.net).load(archive);
        info.corpus_ids = read_ids(archive, "corpus_ids");
        info.held_out_ids = read_ids(archive, "held_out_ids");
    } catch (const c10::Error& e) {
        throw FileError(name, "damaged model weights: " + std::string(e.what_without_backtrace()).substr(0, 200),
                        16 + length);
    }
    for (const auto* ids : {&info.corpus_ids, &info.held_out_ids})
        for (std::int64_t id : *ids)
            if (id < 0 || id >= info.vocab()) throw FileError(name, "damaged model: token id out of range");
    return loaded;
}

}  // namespace pianola::model
