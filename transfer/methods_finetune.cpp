// Methods that are compositions of the adaptation loop: target_only, joint, the fine-tuning
// family (one per fine-tuning mode), fine-tuning with alignment, and vib.
#include "transfer/methods.h"
#include "transfer/model_method.h"

namespace graft::transfer {
namespace {

class TargetOnly : public ModelMethod {
 public:
  std::string name() const override { return "target_only"; }
  std::vector<BridgeKind> needs() const override { return {}; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    if (task->num_cold_users() > 0) {
      log.notes.push_back("target_only: cold-start users have no target history and are scored by target item "
                          "popularity (training interactions per item)");
    }
    Recipe r = recipe();
    r.mode = "full";
    r.scoring = [task](CrossDomainModel& m) {
      return with_popularity_fallback(m.with_item_bias(m.represent(GraphKind::kTarget), GraphKind::kTarget), *task);
    };
    adapt(std::move(r), log);
  }
};

class Joint : public ModelMethod {
 public:
  std::string name() const override { return "joint"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    if (has_both_sides(*task)) log.before = user_discrepancy(*model_, *task, "before", log);
    adapt(joint_recipe(), log);
  }
};

// Pretrain on the source, then fine-tune on the target in the task's fine-tuning mode with the
// bridge, optionally aligning source-graph and target-graph user representations.
class Finetune : public ModelMethod {
 public:
  Finetune(std::string name, std::string alignment) : name_(std::move(name)), alignment_(std::move(alignment)) {}
  std::string name() const override { return name_; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    const TransferOptions& o = task->options;
    Recipe r = recipe();
    if (!alignment_.empty() && o.align.source_weight > 0) {
      r.objective.push_back(parts::source_ranking(o.align.source_weight));
    }
    add_bridge(*task, r.objective);
    if (!alignment_.empty()) r.objective.push_back(parts::alignment(alignment_, *task, model_->encoder()->out_dim()));
    if (r.mode == "l2sp") r.objective.push_back(parts::l2sp(*model_, o.finetune.l2sp_weight));
    adapt(std::move(r), log);
  }

 private:
  std::string name_, alignment_;
};

// After CDRIB: pretrain, then adapt on both domains at once with the bridge in both directions
// (a shared user's source-graph representation scores its target items and its target-graph
// representation its source items), a variational bottleneck on user representations and InfoNCE
// between each shared user's two representations (BottleneckOptions). Cold-start users are
// scored from the mean of their source-graph representation.
class VariationalBridge : public ModelMethod {
 public:
  std::string name() const override { return "vib"; }
  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    build(task);
    pretrain(log);
    const TransferOptions& o = task->options;
    Recipe r = recipe();
    r.objective.push_back(parts::source_ranking(1.0));
    if (o.bridge_weight > 0 && !task->shared_users.empty()) {
      r.objective.push_back(parts::reverse_bridge(*task, o.bridge_weight));
    }
    add_bridge(*task, r.objective);
    if (o.bottleneck.beta > 0) r.objective.push_back(parts::bottleneck_kl(*task, model_->encoder()->out_dim()));
    if (o.bottleneck.contrastive > 0) r.objective.push_back(parts::info_nce(*task, o.bottleneck.contrastive));
    adapt(std::move(r), log);
  }
};

}  // namespace

std::unique_ptr<TransferMethod> make_target_only() { return std::make_unique<TargetOnly>(); }
std::unique_ptr<TransferMethod> make_joint() { return std::make_unique<Joint>(); }
std::unique_ptr<TransferMethod> make_finetune(const std::string& name) { return std::make_unique<Finetune>(name, ""); }
std::unique_ptr<TransferMethod> make_aligned_finetune(const std::string& alignment) {
  return std::make_unique<Finetune>(alignment, alignment);
}
std::unique_ptr<TransferMethod> make_vib() { return std::make_unique<VariationalBridge>(); }

}  // namespace graft::transfer
