#include "train/TrainingCheckpoint.h"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "io/AtomicFile.h"
#include "io/FileError.h"

namespace pianola::train {

static nlohmann::json to_json(const TrainingProgress& p) {
    return {{"epoch", p.epoch},
            {"step", p.step},
            {"learning_rate", p.learning_rate},
            {"schedule_best", p.schedule_best},
            {"bad_epochs", p.bad_epochs},
            {"saved_best", p.saved_best},
            {"saved_epoch", p.saved_epoch},
            {"saved_validation", p.saved_validation},
            {"epoch_loss_sum", p.epoch_loss_sum},
            {"epoch_tokens", p.epoch_tokens},
            {"steps_done", p.steps_done}};
}

// JSON has no infinity: "no best yet" travels as null.
static double finite_or_infinity(const nlohmann::json& value) {
    return value.is_null() ? std::numeric_limits<double>::infinity() : value.get<double>();
}

static TrainingProgress progress_from(const nlohmann::json& j) {
    TrainingProgress p;
    p.epoch = j.at("epoch");
    p.step = j.at("step");
    p.learning_rate = j.at("learning_rate");
    p.schedule_best = finite_or_infinity(j.at("schedule_best"));
    p.bad_epochs = j.at("bad_epochs");
    p.saved_best = finite_or_infinity(j.at("saved_best"));
    p.saved_epoch = j.at("saved_epoch");
    p.saved_validation = j.at("saved_validation");
    p.epoch_loss_sum = j.at("epoch_loss_sum");
    p.epoch_tokens = j.at("epoch_tokens");
    p.steps_done = j.value("steps_done", std::int64_t{0});  // checkpoints from before the warm-up
    return p;
}

// "layers 1 -> 2, seed 1 -> 3": what a resume would change, one level into nested objects.
static std::string differences(const nlohmann::json& saved, const nlohmann::json& now) {
    std::string text;
    for (const auto& [key, value] : now.items()) {
        const nlohmann::json before = saved.contains(key) ? saved.at(key) : nlohmann::json();
        if (value.is_object() && before.is_object()) {
            const std::string inner = differences(before, value);
            if (!inner.empty()) text += (text.empty() ? "" : ", ") + inner;
        } else if (before != value) {
            text += (text.empty() ? "" : ", ") + key + " " + before.dump() + " -> " + value.dump();
        }
    }
    return text;
}

static at::Generator dropout_generator() { return at::detail::getDefaultCPUGenerator(); }

std::filesystem::path checkpoint_path(const std::filesystem::path& model) {
    return model.string() + ".checkpoint";
}

void save_checkpoint(const std::filesystem::path& path, const TrainingCheckpoint& checkpoint, torch::nn::Module& net,
                     torch::optim::Optimizer& optimizer) {
    torch::serialize::OutputArchive archive, weights, moments;
    net.save(weights);
    optimizer.save(moments);
    archive.write("model", weights);
    archive.write("optimizer", moments);
    const nlohmann::json header = {{"progress", to_json(checkpoint.progress)},
                                   {"fingerprint", checkpoint.fingerprint}};
    archive.write("header", c10::IValue(header.dump()));
    torch::Tensor generator_state;
    {
        std::lock_guard<std::mutex> lock(dropout_generator().mutex());
        generator_state = dropout_generator().get_state();
    }
    archive.write("generator", generator_state, /*is_buffer=*/true);
    const bool carried = std::get<0>(checkpoint.state).defined();
    archive.write("h", carried ? std::get<0>(checkpoint.state) : torch::empty({0}), /*is_buffer=*/true);
    archive.write("c", carried ? std::get<1>(checkpoint.state) : torch::empty({0}), /*is_buffer=*/true);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file_atomically(path, bytes.str());
}

TrainingCheckpoint load_checkpoint(const std::filesystem::path& path, const nlohmann::json& fingerprint,
                                   torch::nn::Module& net, torch::optim::Optimizer& optimizer) {
    const std::vector<std::uint8_t> bytes = read_file(path);
    const std::string name = path.string();
    TrainingCheckpoint checkpoint;
    try {
        std::istringstream stream(std::string(bytes.begin(), bytes.end()));
        torch::serialize::InputArchive archive, weights, moments;
        // Onto the device the network is on now, whichever one wrote the checkpoint.
        archive.load_from(stream, net.parameters().front().device());
        c10::IValue header_text;
        archive.read("header", header_text);
        const auto header = nlohmann::json::parse(header_text.toStringRef());
        checkpoint.fingerprint = header.at("fingerprint");
        if (checkpoint.fingerprint != fingerprint)
            throw FileError(name, "checkpoint is of another training (" + differences(checkpoint.fingerprint, fingerprint) +
                                      "); give the options it was trained with (a tokenizer's defaults follow "
                                      "the corpus), or start afresh without --resume");
        checkpoint.progress = progress_from(header.at("progress"));
        archive.read("model", weights);
        archive.read("optimizer", moments);
        net.load(weights);
        optimizer.load(moments);
        torch::Tensor generator_state, h, c;
        archive.read("generator", generator_state, /*is_buffer=*/true);
        archive.read("h", h, /*is_buffer=*/true);
        archive.read("c", c, /*is_buffer=*/true);
        {
            std::lock_guard<std::mutex> lock(dropout_generator().mutex());
            dropout_generator().set_state(generator_state.cpu());  // the CPU's generator
        }
        if (h.numel() > 0) checkpoint.state = {h, c};
    } catch (const c10::Error& e) {
        throw FileError(name, "damaged checkpoint: " + std::string(e.what_without_backtrace()).substr(0, 200));
    } catch (const nlohmann::json::exception& e) {
        throw FileError(name, std::string("damaged checkpoint header: ") + e.what());
    }
    return checkpoint;
}

}  // namespace pianola::train
