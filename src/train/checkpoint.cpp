#include "otae/train/checkpoint.hpp"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>

#include "otae/base/error.hpp"
#include "otae/base/files.hpp"
#include "otae/train/device.hpp"

namespace otae::train {

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer* optimizer,
                     const CheckpointInfo& info) {
  try {
    const std::filesystem::path target(path);
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive weights;
    model.save(weights);
    archive.write("model", weights);
    if (optimizer) {
      torch::serialize::OutputArchive state;
      optimizer->save(state);
      archive.write("optimizer", state);
    }
    archive.write("completed_steps", c10::IValue(info.completed_steps));
    archive.write("step", c10::IValue(info.step));
    archive.write("phase", c10::IValue(info.phase));
    archive.write("beta_hat", c10::IValue(info.beta_hat));
    write_atomically(path, [&](const std::string& temporary) { archive.save_to(temporary); });
  } catch (const IoError&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError("cannot write the checkpoint " + path + ": " + e.what());
  }
}

CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer) {
  if (!std::filesystem::exists(path)) throw IoError("checkpoint " + path + " does not exist");
  CheckpointInfo info;
  try {
    torch::serialize::InputArchive archive;
    // onto the model's device, wherever the checkpoint was written: a run trained on a GPU is read on a CPU
    archive.load_from(path, device_of(model));
    torch::serialize::InputArchive weights;
    archive.read("model", weights);
    model.load(weights);
    if (optimizer) {
      torch::serialize::InputArchive state;
      if (!archive.try_read("optimizer", state))
        throw IoError("checkpoint " + path + " holds weights only (a kept β step), no optimiser state to resume from");
      optimizer->load(state);
    }
    c10::IValue value;
    archive.read("completed_steps", value);
    info.completed_steps = value.toInt();
    archive.read("step", value);
    info.step = value.toInt();
    archive.read("phase", value);
    info.phase = value.toStringRef();
    archive.read("beta_hat", value);
    info.beta_hat = value.toDouble();
  } catch (const IoError&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError("cannot read the checkpoint " + path + " (is it from this run's configuration?): " + e.what());
  }
  return info;
}

}  // namespace otae::train
