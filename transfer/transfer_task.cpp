#include "transfer/transfer_task.h"

#include "gnn/encoder_recommender.h"
#include "graph_io/errors.h"

#include <algorithm>

namespace graft::transfer {
namespace {

// Distinct (user, item) training pairs of a domain, sorted.
std::vector<std::pair<int64_t, int64_t>> training_pairs(const io::Domain& domain, const io::DomainSplit& part) {
  std::vector<std::pair<int64_t, int64_t>> pairs;
  pairs.reserve(part.train.size());
  for (const int64_t k : part.train) pairs.emplace_back(domain.interactions.user[k], domain.interactions.item[k]);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

// The symmetric-normalised bipartite graph over [users | items of domain 0 | items of domain 1 …].
gnn::SparseGraph union_graph(int64_t users, const std::vector<std::vector<std::pair<int64_t, int64_t>>>& domains,
                             const std::vector<int64_t>& item_counts, bool self_loops) {
  std::vector<int64_t> rows, cols;
  int64_t offset = users;
  for (size_t d = 0; d < domains.size(); ++d) {
    for (const auto& [u, i] : domains[d]) {
      rows.push_back(u), cols.push_back(offset + i);
      rows.push_back(offset + i), cols.push_back(u);
    }
    offset += item_counts[d];
  }
  const auto n = static_cast<int64_t>(rows.size());
  const auto as_tensor = [n](std::vector<int64_t>& v) { return torch::from_blob(v.data(), {n}, torch::kInt64).clone(); };
  const gnn::SparseGraph adjacency =
      gnn::SparseGraph::from_coo(offset, offset, as_tensor(rows), as_tensor(cols), torch::ones({n}));
  return gnn::normalize(adjacency, gnn::Normalization::kSymmetric, self_loops);
}

// A copy of `part` whose test cases (and their negatives) are those of the users `keep` selects.
io::DomainSplit filter_test_cases(const io::Domain& domain, const io::DomainSplit& part,
                                  const std::vector<uint8_t>& cold, bool keep_cold) {
  io::DomainSplit out = part;
  out.test.clear();
  out.test_negatives.clear();
  const auto n = static_cast<size_t>(part.negatives_per_case);
  for (size_t c = 0; c < part.test.size(); ++c) {
    const int64_t user = domain.interactions.user[part.test[c]];
    if ((cold[user] != 0) != keep_cold) continue;
    out.test.push_back(part.test[c]);
    if (n > 0) {
      out.test_negatives.insert(out.test_negatives.end(), part.test_negatives.begin() + c * n,
                                part.test_negatives.begin() + (c + 1) * n);
    }
  }
  return out;
}

const io::DomainSplit& require_part(const io::Split& split, const std::string& domain) {
  const io::DomainSplit* part = split.part(domain);
  if (part == nullptr) {
    throw io::UsageError("split '" + split.name + "' has no part for domain '" + domain + "'");
  }
  return *part;
}

}  // namespace

const gnn::SparseGraph& TransferTask::graph(GraphKind kind) const {
  switch (kind) {
    case GraphKind::kSource: return source_graph;
    case GraphKind::kTarget: return target_graph;
    case GraphKind::kUnion: return union_graph;
  }
  throw std::logic_error("unknown graph kind");
}

int64_t TransferTask::num_cold_users() const { return std::count(cold.begin(), cold.end(), uint8_t{1}); }

TransferTask make_task(const io::Dataset& dataset, const TransferOptions& requested) {
  validate(requested);
  TransferTask task;
  task.dataset = &dataset;
  task.options = requested;
  TransferOptions& options = task.options;
  const io::Domain& source = dataset.domain(options.source);
  const io::Domain& target = dataset.domain(options.target);
  const io::Split& split = dataset.split(options.split);
  task.source_part = &require_part(split, options.source);
  task.target_part = &require_part(split, options.target);
  const io::DomainSplit& target_part = *task.target_part;
  task.num_users = dataset.num_users();
  task.source_items = source.num_items();
  task.target_items = target.num_items();
  if (task.source_part->train.empty()) {
    throw io::UsageError("split '" + split.name + "': the source domain '" + options.source +
                         "' has no training interactions");
  }
  if (target_part.test.empty()) {
    throw io::UsageError("split '" + split.name + "': the target domain '" + options.target + "' has no test cases");
  }

  if (options.protocol == "auto") options.protocol = target_part.negatives_per_case > 0 ? "sampled" : "full";
  if (options.selection_metric == "auto") options.selection_metric = options.protocol == "sampled" ? "mrr" : "recall@20";

  // Cold-start users: named by the split, or evaluated in the target without target training.
  const auto source_pairs = training_pairs(source, *task.source_part);
  const auto target_pairs = training_pairs(target, target_part);
  std::vector<uint8_t> in_source(task.num_users, 0), in_target(task.num_users, 0);
  for (const auto& pair : source_pairs) in_source[pair.first] = 1;
  for (const auto& pair : target_pairs) in_target[pair.first] = 1;
  task.cold.assign(task.num_users, 0);
  for (const int64_t u : target_part.cold_start_users) task.cold[u] = in_target[u] ? 0 : 1;
  for (const auto* cases : {&target_part.valid, &target_part.test}) {
    for (const int64_t k : *cases) {
      const int64_t u = target.interactions.user[k];
      if (!in_target[u]) task.cold[u] = 1;
    }
  }
  for (int64_t u = 0; u < task.num_users; ++u) {
    if (in_source[u] && in_target[u]) task.shared_users.push_back(u);
    if (task.cold[u] && in_source[u]) ++task.cold_with_source_history;
  }
  task.target_popularity.assign(task.target_items, 0.0);
  for (const auto& pair : target_pairs) task.target_popularity[pair.second] += 1.0;

  const bool self_loops = gnn::encoder_graph_options(options.encoder).self_loops;
  task.source_graph = union_graph(task.num_users, {source_pairs}, {task.source_items}, self_loops);
  task.target_graph = union_graph(task.num_users, {target_pairs}, {task.target_items}, self_loops);
  task.union_graph =
      union_graph(task.num_users, {source_pairs, target_pairs}, {task.source_items, task.target_items}, self_loops);
  task.source_sampler = std::make_unique<gnn::NegativeSampler>(
      gnn::NegativeSampler::for_split(dataset, options.source, *task.source_part));
  task.target_sampler = std::make_unique<gnn::NegativeSampler>(
      gnn::NegativeSampler::for_split(dataset, options.target, target_part));

  gnn::EvalOptions eval;
  eval.ks = options.ks;
  const io::DomainSplit cold_part = filter_test_cases(target, target_part, task.cold, true);
  const io::DomainSplit warm_part = filter_test_cases(target, target_part, task.cold, false);
  if (options.protocol == "sampled" && cold_part.test.empty()) {
    throw io::UsageError("split '" + split.name + "' has no cold-start test users in '" + options.target +
                         "', but the sampled protocol evaluates cold-start users (PROTOCOLS.md); make a "
                         "cold_start_users split or use protocol full");
  }
  if (!target_part.valid.empty()) {
    task.valid = gnn::make_evaluator(options.protocol, dataset, options.target, target_part, gnn::EvalSet::kValid, eval);
  }
  task.test = gnn::make_evaluator(options.protocol, dataset, options.target, target_part, gnn::EvalSet::kTest, eval);
  if (!cold_part.test.empty()) {
    task.test_cold = gnn::make_evaluator(options.protocol, dataset, options.target, cold_part, gnn::EvalSet::kTest, eval);
  }
  if (!warm_part.test.empty()) {
    task.test_warm = gnn::make_evaluator(options.protocol, dataset, options.target, warm_part, gnn::EvalSet::kTest, eval);
  }
  return task;
}

}  // namespace graft::transfer
