// TransferMethod: one way of carrying what was learned on the source domain to the target.
// A method trains on a TransferTask (source and target training graphs of one split) and then
// gives representations of every user and every target item whose dot products score the target,
// cold-start users included. Methods are registered by name (method_names() in transfer.h).
#pragma once

#include "gnn/recommender.h"
#include "transfer/transfer_report.h"
#include "transfer/transfer_task.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace graft::transfer {

// What fitting records for the report.
struct FitLog {
  std::vector<EpochLog> history;
  std::map<std::string, double> phase_seconds;
  std::vector<std::string> notes;
  Metrics best_valid;
  std::optional<Discrepancy> before;  // user representations before adaptation
  std::optional<RepresentationSample> sample_before;  // with TransferOptions::keep_representations
  ParameterCount parameters;            // of the adaptation phase (zero for methods without one)
  std::map<std::string, double> source_weights;  // several sources: each one's loss weight at the end
};

class TransferMethod {
 public:
  virtual ~TransferMethod() = default;
  virtual std::string name() const = 0;
  // The bridges the method can carry knowledge through; run_transfer refuses a task that has none
  // of them (an empty list: the method needs no bridge).
  virtual std::vector<BridgeKind> needs() const { return {BridgeKind::kSharedUsers}; }

  // Trains on the task; the method may keep the task for scoring afterwards.
  virtual void fit(std::shared_ptr<const TransferTask> task, FitLog& log) = 0;

  // After fit: users [U, d] (cold-start users from their source-domain evidence) and target
  // items [I_t, d]; score(u, i) = users[u] · items[i].
  virtual gnn::Representations target_representations() = 0;

  // After fit: what the evaluation scores the target with. By default the dot products of
  // target_representations(); methods whose scores are sparse rows times item weights
  // (co-occurrence, the item–item models) give their own, so no users × items matrix is held.
  virtual std::shared_ptr<gnn::Recommender> target_scorer();

  // After fit, for ranking among every item (TransferOptions::rank_all_items): users as in
  // target_representations() and items [source items; target items] in the same space;
  // nullopt when the method does not score source items.
  virtual std::optional<gnn::Representations> all_item_representations() { return std::nullopt; }

  // After fit: {source-graph, target-graph} representations of all users, for discrepancy;
  // nullopt when the method has no such pair.
  virtual std::optional<std::pair<torch::Tensor, torch::Tensor>> domain_user_representations() {
    return std::nullopt;
  }

  // Logits of (users[b], items[b]) in the target: [B].
  torch::Tensor score(const torch::Tensor& users, const torch::Tensor& items);
};

// UsageError naming the value and the valid names for an unknown method.
std::unique_ptr<TransferMethod> make_method(const std::string& name);

}  // namespace graft::transfer
