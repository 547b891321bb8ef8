// The alignment parts: source-graph vs target-graph representations pulled together by a
// domain adversary (gradient reversal) or by a statistic (MMD, CORAL). Each step draws
// align.batch_users rows of each side from the step's stream: users active in each domain
// (align.on users), or linked items, one draw of pairs giving the source item's source-graph row
// and the target item's target-graph row (align.on items: the cross-market bridge, where the
// markets share products and no customers).
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

bool on_items(const TransferTask& task) { return task.options.align.on == "items"; }

// {source-graph rows, target-graph rows}, n each: of source-active and target-active users, or
// of the two sides of linked item pairs.
std::pair<torch::Tensor, torch::Tensor> draw_pair(const TransferTask& task, const gnn::Representations& source,
                                                  const gnn::Representations& target, std::mt19937_64& rng) {
  const int64_t n = task.options.align.batch_users;
  if (on_items(task)) {
    const auto& pairs = task.bridges.shared_items;
    std::vector<int64_t> s(static_cast<size_t>(n)), t(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) std::tie(s[k], t[k]) = pairs[io::draw_below(rng, pairs.size())];
    return {source.items.index_select(0, as_index(s)), target.items.index_select(0, as_index(t))};
  }
  const std::vector<int64_t> s = draw_users(task.source_sampler->active_users(), n, rng);
  const std::vector<int64_t> t = draw_users(task.target_sampler->active_users(), n, rng);
  return {source.users.index_select(0, as_index(s)), target.users.index_select(0, as_index(t))};
}

// Alignment needs users active in each domain (a zero-shot target has none), or linked items.
bool alignable(const TransferTask& task) {
  return on_items(task) ? !task.bridges.shared_items.empty() : !task.target_sampler->active_users().empty();
}

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
    const auto [hs, ht] = draw_pair(step.task, step.source, step.target, step.rng);
    return domain_adversarial_loss(discriminator_, hs, ht, grl_lambda(step.progress, o.gamma, o.weight));
  }
  // The balanced accuracy of the discriminator on fresh draws: toward 0.5 as the graphs align.
  void after_epoch(const TransferTask& task, CrossDomainModel& model, uint64_t seed, EpochLog& record) override {
    if (!alignable(task)) return;
    std::mt19937_64 probe(seed);
    const auto [hs, ht] =
        draw_pair(task, model.represent(GraphKind::kSource), model.represent(GraphKind::kTarget), probe);
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
    const auto [hs, ht] = draw_pair(step.task, step.source, step.target, step.rng);
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
