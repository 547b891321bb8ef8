#include "gnn/checkpoint.h"

#include <sstream>
#include <vector>

#include "graph_io/errors.h"
#include "graph_io/files.h"

namespace graft::gnn {

namespace {

// Archive keys: tensors are stored as "tensor<k>" in the order of "names", because tensor keys
// containing '.' (nested modules) are not valid archive attribute names.
constexpr const char* kModelKey = "model_name";
constexpr const char* kNamesKey = "names";

std::vector<std::pair<std::string, torch::Tensor>> named_state(const Recommender& model) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : model.named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model.named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

std::string shape(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

}  // namespace

void save_checkpoint(const Recommender& model, const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write(kModelKey, c10::IValue(model.model_name()));
  c10::List<std::string> names;
  const auto state = named_state(model);
  for (size_t k = 0; k < state.size(); ++k) {
    names.push_back(state[k].first);
    archive.write("tensor" + std::to_string(k), state[k].second.detach());
  }
  archive.write(kNamesKey, c10::IValue(names));
  io::write_atomically(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

void load_checkpoint(Recommender& model, const std::string& path) {
  io::require_readable_file(path);
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw io::DataError("checkpoint '" + path + "' is not a readable graft checkpoint: " + e.what_without_backtrace());
  }
  c10::IValue model_name, names_value;
  if (!archive.try_read(kModelKey, model_name) || !archive.try_read(kNamesKey, names_value) ||
      !model_name.isString() || !names_value.isList()) {
    throw io::DataError("checkpoint '" + path + "' is not a graft checkpoint (no model name or tensor list)");
  }
  const std::string saved_model = model_name.toStringRef();
  if (saved_model != model.model_name()) {
    throw io::DataError("checkpoint '" + path + "' holds a '" + saved_model + "' model and cannot be loaded into a '" +
                        model.model_name() + "' model");
  }
  const auto state = named_state(model);
  const auto names = names_value.toList();
  std::vector<torch::Tensor> saved(state.size());
  for (size_t k = 0; k < state.size(); ++k) {
    if (k >= names.size() || names.get(k).toStringRef() != state[k].first) {
      throw io::DataError("checkpoint '" + path + "': tensor " + std::to_string(k) + " is '" +
                          (k < names.size() ? names.get(k).toStringRef() : std::string("(none)")) +
                          "' there but '" + state[k].first + "' in the '" + model.model_name() + "' model");
    }
    archive.read("tensor" + std::to_string(k), saved[k]);
    if (!saved[k].sizes().equals(state[k].second.sizes())) {
      throw io::DataError("checkpoint '" + path + "': '" + state[k].first + "' has shape " + shape(saved[k]) +
                          " there but " + shape(state[k].second) + " in the '" + model.model_name() + "' model");
    }
  }
  if (names.size() != state.size()) {
    throw io::DataError("checkpoint '" + path + "' holds " + std::to_string(names.size()) + " tensors, the '" +
                        model.model_name() + "' model " + std::to_string(state.size()));
  }
  torch::NoGradGuard no_grad;
  for (size_t k = 0; k < state.size(); ++k) state[k].second.copy_(saved[k]);
}

}  // namespace graft::gnn
