// The two evaluation protocols of ../shared/PROTOCOLS.md, exactly:
//   full     every item of the domain is a candidate; a user's training items (and, on test, its
//            validation items) are masked; users with at least one held-out item; Recall,
//            NDCG, Precision, HR @K; ties broken by the smaller item index.
//   sampled  one case per held-out (user, item), ranked against its stored negatives;
//            rank = #negatives scoring above + #scoring equal (ties count against the model);
//            HR, NDCG @K and MRR.
// The metric maths are plain functions over score arrays, so tests can feed hand-made scores;
// the evaluators gather a split's cases once and score a model in batches, in parallel, with
// results that do not depend on the thread count.
//
// Metric names: "recall@K", "ndcg@K", "precision@K", "hr@K" (full); "hr@K", "ndcg@K", "mrr" (sampled).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gnn/recommender.h"
#include "graph_io/dataset.h"

namespace graft::gnn {

class Communicator;

using Metrics = std::map<std::string, double>;

// ---- Metric maths -----------------------------------------------------------------------------

// Indices of the k best of scores[0, n), best first, ties broken by the smaller index. −∞ and
// NaN are never ranked (masked items), so fewer than k come back when fewer remain.
std::vector<int64_t> top_k(const float* scores, int64_t n, int64_t k);

// For each K: recall@K, ndcg@K, precision@K, hr@K, in this order.
std::vector<std::string> full_ranking_metric_names(const std::vector<int64_t>& ks);

// One user's full-ranking metrics, in the order of full_ranking_metric_names, into out.
// ranking: item indices best first (at least max(ks) long unless fewer candidates exist);
// relevant: the user's held-out items, ascending and distinct, num_relevant ≥ 1.
void full_ranking_user_metrics(const std::vector<int64_t>& ranking, const int64_t* relevant,
                               int64_t num_relevant, const std::vector<int64_t>& ks, double* out);

// Mean over the rows with at least one relevant item. scores [B, I] float32 with masked
// candidates already −∞; relevant[b]: row b's held-out items (any order, duplicates ignored).
Metrics full_ranking_metrics(const torch::Tensor& scores, const std::vector<std::vector<int64_t>>& relevant,
                             const std::vector<int64_t>& ks);

// #negatives scoring strictly above the ground truth + #scoring exactly the same.
int64_t sampled_rank(float positive, const float* negatives, int64_t n);

// For each K: hr@K, ndcg@K; then mrr.
std::vector<std::string> sampled_metric_names(const std::vector<int64_t>& ks);

// Mean over cases. positive [C] float32, negatives [C, n] float32.
Metrics sampled_metrics(const torch::Tensor& positive, const torch::Tensor& negatives, const std::vector<int64_t>& ks);

// ---- Evaluators over a split ------------------------------------------------------------------

enum class EvalSet { kValid, kTest };
const char* eval_set_name(EvalSet set);  // "valid" | "test"

struct EvalOptions {
  std::vector<int64_t> ks;  // cut-offs; empty: {10, 20, 50} (full) or {1, 5, 10} (sampled)
  int64_t batch_size = 0;   // users (full) or cases (sampled) scored at once; 0: 1024 users, fewer
                            // where their scores would pass 256 MiB (at least 16) / 256 cases
};

// Users a full ranking scores at once by default: 1,024, fewer for catalogues whose scores would
// pass 256 MiB (a users × items float block), at least 16.
int64_t full_ranking_batch(int64_t items);

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Runs the model once in eval mode without gradients and ranks every user or case.
  Metrics evaluate(Recommender& model) const;
  // Data parallel: each rank ranks its shard of the users or cases (gnn/communicator.h: shard_range)
  // and the sums are gathered, so every rank gets the metrics of the whole set. null or a group
  // of one: evaluate(model).
  Metrics evaluate(Recommender& model, Communicator* communicator) const;
  // Per metric (metric_names() order), the sum over users or cases [begin, end), in their order.
  virtual std::vector<double> metric_sums(Recommender& model, int64_t begin, int64_t end) const = 0;
  // Evaluated users (full) or cases (sampled).
  virtual int64_t size() const = 0;
  // The names of the metrics evaluate() reports.
  virtual const std::vector<std::string>& metric_names() const = 0;
};

std::vector<std::string> protocol_names();  // "full", "sampled"

// The evaluator of `protocol` over the valid or test interactions of `domain` in `split`.
// UsageError for an unknown protocol, a cut-off below 1, an empty evaluation set or (sampled) a
// split without stored negatives; DataError when the stored negatives do not match the cases.
std::unique_ptr<Evaluator> make_evaluator(const std::string& protocol, const io::Dataset& dataset,
                                          const std::string& domain, const io::DomainSplit& split,
                                          EvalSet set, const EvalOptions& options = {});

// One domain's items in a joint ranking, with the split part whose interactions mask and test.
struct RankedPart {
  std::string domain;
  const io::DomainSplit* split = nullptr;
};

// Full ranking over the items of several domains laid end to end, [items of parts[0] | items of
// parts[1] | …] (the model scores that layout): the relevant items are the valid or test items
// of parts.back(); a user's training items of every part (and on test, its validation items)
// are masked. E.g. a new category's test items ranked among every item of the shop.
std::unique_ptr<Evaluator> make_joint_full_evaluator(const io::Dataset& dataset, const std::vector<RankedPart>& parts,
                                                     EvalSet set, const EvalOptions& options = {});

}  // namespace graft::gnn
