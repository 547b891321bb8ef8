// The alignment parts: source-graph vs target-graph user representations pulled together by a
// domain adversary (gradient reversal) or by a statistic (MMD, CORAL). Each step draws
// align.batch_users users active in each domain from the step's stream.
#include "graph_io/seeded_random.h"
#include "transfer/alignment_losses.h"
#include "transfer/domain_discriminator.h"
#include "transfer/gradient_reversal.h"
#include "transfer/objective.h"

#include <functional>

namespace graft::transfer {
namespace {

std::vector<int64_t> draw_users(const std::vector<int64_t>& users, int64_t count, std::mt19937_64& rng) {
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (auto& u : out) u = users[io::draw_below(rng, users.size())];
  return out;
}

// {source-graph rows of source-active users, target-graph rows of target-active users}, n each.
std::pair<torch::Tensor, torch::Tensor> draw_pair(const TransferTask& task, const torch::Tensor& source_users,
                                                  const torch::Tensor& target_users, std::mt19937_64& rng) {
  const int64_t n = task.options.align.batch_users;
  const torch::Tensor hs = source_users.index_select(0, as_index(draw_users(task.source_sampler->active_users(), n, rng)));
  const torch::Tensor ht = target_users.index_select(0, as_index(draw_users(task.target_sampler->active_users(), n, rng)));
  return {hs, ht};
}

// Alignment needs users active in each domain (a zero-shot target has none).
bool alignable(const TransferTask& task) { return !task.target_sampler->active_users().empty(); }

class Adversarial : public ObjectivePart {
 public:
  Adversarial(const TransferTask& task, int64_t dim)
      : discriminator_(DomainDiscriminatorOptions(dim, task.options.align.hidden)
                           .seed(io::derive_seed(task.options.seed, "discriminator"))) {}
  std::string name() const override { return "adversarial"; }
  bool reads_source_graph() const override { return true; }
  std::vector<torch::Tensor> parameters() override { return discriminator_->parameters(); }
  torch::Tensor loss(const Step& step) override {
    if (!alignable(step.task)) return {};
    const AlignOptions& o = step.task.options.align;
    const auto [hs, ht] = draw_pair(step.task, step.source.users, step.target.users, step.rng);
    return domain_adversarial_loss(discriminator_, hs, ht, grl_lambda(step.progress, o.gamma, o.weight));
  }
  // The balanced accuracy of the discriminator on fresh draws: toward 0.5 as the graphs align.
  void after_epoch(const TransferTask& task, CrossDomainModel& model, uint64_t seed, EpochLog& record) override {
    if (!alignable(task)) return;
    std::mt19937_64 probe(seed);
    const torch::Tensor s = model.represent(GraphKind::kSource).users, t = model.represent(GraphKind::kTarget).users;
    const auto [hs, ht] = draw_pair(task, s, t, probe);
    record.metrics["disc_acc"] = discriminator_accuracy(discriminator_, hs, ht);
  }

 private:
  DomainDiscriminator discriminator_;
};

class StatisticAlignment : public ObjectivePart {
 public:
  explicit StatisticAlignment(std::string kind) : kind_(std::move(kind)) {}
  std::string name() const override { return kind_; }
  bool reads_source_graph() const override { return true; }
  torch::Tensor loss(const Step& step) override {
    if (!alignable(step.task)) return {};
    const AlignOptions& o = step.task.options.align;
    const auto [hs, ht] = draw_pair(step.task, step.source.users, step.target.users, step.rng);
    return o.weight * alignment_loss(kind_, hs, ht, o);
  }

 private:
  std::string kind_;
};

using AlignmentFactory = std::function<std::unique_ptr<ObjectivePart>(const TransferTask&, int64_t dim)>;

const std::vector<std::pair<std::string, AlignmentFactory>>& alignments() {
  static const std::vector<std::pair<std::string, AlignmentFactory>> registry = {
      {"adversarial", [](const TransferTask& t, int64_t dim) { return std::make_unique<Adversarial>(t, dim); }},
      {"mmd", [](const TransferTask&, int64_t) { return std::make_unique<StatisticAlignment>("mmd"); }},
      {"coral", [](const TransferTask&, int64_t) { return std::make_unique<StatisticAlignment>("coral"); }},
  };
  return registry;
}

}  // namespace

std::vector<std::string> alignment_names() {
  std::vector<std::string> names;
  for (const auto& entry : alignments()) names.push_back(entry.first);
  return names;
}

namespace parts {

std::unique_ptr<ObjectivePart> alignment(const std::string& kind, const TransferTask& task, int64_t dim) {
  for (const auto& [name, factory] : alignments()) {
    if (name == kind) return factory(task, dim);
  }
  throw std::invalid_argument("unknown alignment '" + kind + "'");
}

}  // namespace parts
}  // namespace graft::transfer
