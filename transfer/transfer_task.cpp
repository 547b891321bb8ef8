#include "transfer/transfer_task.h"

#include "transfer/source_markets.h"
#include "transfer/transfer.h"

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

// The typed training graph over [users | items of each domain in turn | categories].
struct DomainPart {
  const io::Domain* domain;
  const io::DomainSplit* part;
  const std::vector<int64_t>* category_map;
};

// Renumbers the nodes of a graph over [users | source items | target items | categories] so that
// each linked target item (linked[k] ≥ 0) is its source item's node and the others close ranks.
void merge_linked_nodes(const std::vector<int64_t>& linked, gnn::NodeLayout& layout,
                        std::vector<gnn::RelationEdges>& relations) {
  const int64_t targets = static_cast<int64_t>(linked.size());
  const int64_t first_target = layout.users + layout.items - targets;
  std::vector<int64_t> node(static_cast<size_t>(layout.total()));
  int64_t next = first_target, merged = 0;
  for (int64_t n = 0; n < layout.total(); ++n) {
    if (n < first_target) {
      node[n] = n;
    } else if (n < first_target + targets) {
      const int64_t source = linked[n - first_target];
      node[n] = source >= 0 ? layout.users + source : next++;
      merged += source >= 0 ? 1 : 0;
    } else {
      node[n] = n - merged;
    }
  }
  for (gnn::RelationEdges& relation : relations) {
    for (auto* ends : {&relation.a, &relation.b}) {
      for (int64_t& n : *ends) n = node[n];
    }
  }
  layout.items -= merged;
}

gnn::TypedGraph typed_graph(const io::Dataset& dataset, const std::vector<DomainPart>& domains, int64_t categories,
                            const TransferOptions& options, const std::vector<int64_t>* linked = nullptr) {
  gnn::NodeLayout layout;
  layout.users = dataset.num_users();
  for (const DomainPart& d : domains) layout.items += d.domain->num_items();
  layout.categories = categories;
  std::vector<gnn::RelationEdges> relations;
  int64_t offset = layout.users;
  for (const DomainPart& d : domains) {
    gnn::append_domain_edges(dataset, *d.domain, d.part->train, offset,
                             categories > 0 ? layout.category_offset() : -1, *d.category_map,
                             options.graph.behaviours && d.domain->interactions.has_behavior(), relations);
    offset += d.domain->num_items();
  }
  if (linked != nullptr) merge_linked_nodes(*linked, layout, relations);
  return gnn::build_typed_graph(layout, relations, gnn::encoder_graph_options(options.encoder));
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

std::string block_names(const std::vector<io::FeatureBlock>& blocks) {
  std::string out;
  for (const auto& b : blocks) out += (out.empty() ? "" : ", ") + b.name;
  return out.empty() ? "none" : out;
}

const io::FeatureBlock& require_block(const io::Domain& domain, const std::string& name) {
  return *domain.item_blocks(name, "features.blocks").front();
}

// The item blocks the options read: features.blocks, or else every block the two domains share.
std::vector<std::string> item_blocks_to_read(const FeatureOptions& options, const Bridges& bridges,
                                             const io::Domain& source, const io::Domain& target) {
  if (options.items == "id") return {};
  std::vector<std::string> names = io::split_names(options.blocks);
  if (names.empty()) names = bridges.shared_item_features;
  if (names.empty()) {
    throw io::UsageError("features.items = " + options.items + " reads item features, but domains '" + source.name +
                         "' (blocks: " + block_names(source.item_features) + ") and '" + target.name + "' (blocks: " +
                         block_names(target.item_features) + ") share no item feature block (the shared-features bridge)");
  }
  return names;
}

torch::Tensor trained_items(int64_t items, const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  torch::Tensor trained = torch::zeros({items}, torch::kBool);
  auto flags = trained.accessor<bool, 1>();
  for (const auto& pair : pairs) flags[pair.second] = true;
  return trained;
}

void resolve_features(TransferTask& task, const io::Domain& source, const io::Domain& target) {
  const FeatureOptions& options = task.options.features;
  std::vector<const io::FeatureBlock*> from_source, from_target;
  for (const std::string& name : item_blocks_to_read(options, task.bridges, source, target)) {
    from_source.push_back(&require_block(source, name));
    from_target.push_back(&require_block(target, name));
  }
  if (!from_source.empty()) {
    std::vector<gnn::NodeFeatures> space = gnn::shared_feature_space({from_source, from_target});
    task.source_item_features = std::move(space[0]);
    task.target_item_features = std::move(space[1]);
    task.union_item_features = gnn::concat_rows({&task.source_item_features, &task.target_item_features});
  }
  if (options.users != "id") {
    if (target.user_features.empty()) {
      throw io::UsageError("features.users = " + options.users + " reads user features, but domain '" + target.name +
                           "' has no user feature block");
    }
    std::vector<const io::FeatureBlock*> blocks;
    for (const io::FeatureBlock& block : target.user_features) blocks.push_back(&block);
    task.user_features = gnn::shared_feature_space({blocks})[0];
  }
}

// [target items] the source item of the same external id, or -1.
std::vector<int64_t> linked_items(const Bridges& bridges, int64_t target_items) {
  std::vector<int64_t> linked(static_cast<size_t>(target_items), -1);
  for (const auto& [source, target] : bridges.shared_items) linked[target] = source;
  return linked;
}

// union_item_node and union_node_item of the task (see transfer_task.h).
void index_union_items(TransferTask& task) {
  const int64_t si = task.source_items;
  std::vector<int64_t> item_node(static_cast<size_t>(si + task.target_items)), node_item;
  for (int64_t i = 0; i < si; ++i) item_node[i] = i, node_item.push_back(i);
  for (int64_t k = 0; k < task.target_items; ++k) {
    const int64_t source = task.linked_source_item[k];
    if (source >= 0) {
      item_node[si + k] = source;
    } else {
      item_node[si + k] = static_cast<int64_t>(node_item.size());
      node_item.push_back(si + k);
    }
  }
  task.union_item_node = as_index(item_node);
  task.union_node_item = as_index(node_item);
}

const io::DomainSplit& require_part(const io::Split& split, const std::string& domain) {
  const io::DomainSplit* part = split.part(domain);
  if (part == nullptr) {
    throw io::UsageError("split '" + split.name + "' has no part for domain '" + domain + "'");
  }
  return *part;
}

}  // namespace

const gnn::TypedGraph& TransferTask::graph(GraphKind kind) const {
  switch (kind) {
    case GraphKind::kSource: return source_graph;
    case GraphKind::kTarget: return target_graph;
    case GraphKind::kUnion: return union_graph;
  }
  throw std::logic_error("unknown graph kind");
}

const gnn::NodeFeatures& TransferTask::item_features(GraphKind kind) const {
  switch (kind) {
    case GraphKind::kSource: return source_item_features;
    case GraphKind::kTarget: return target_item_features;
    case GraphKind::kUnion: return union_item_features;
  }
  throw std::logic_error("unknown graph kind");
}

const torch::Tensor& TransferTask::item_trained(GraphKind kind) const {
  switch (kind) {
    case GraphKind::kSource: return source_item_trained;
    case GraphKind::kTarget: return target_item_trained;
    case GraphKind::kUnion: return union_item_trained;
  }
  throw std::logic_error("unknown graph kind");
}

int64_t TransferTask::num_cold_users() const { return std::count(cold.begin(), cold.end(), uint8_t{1}); }

namespace {

// The target's evaluators under the task's protocol: validation, all test cases, and the test
// cases of cold-start and of warm users apart (and among every item with rank_all_items).
void add_evaluators(TransferTask& task, const io::Split& split, const io::Domain& target) {
  const TransferOptions& options = task.options;
  const io::Dataset& dataset = *task.dataset;
  const io::DomainSplit& target_part = *task.target_part;
  gnn::EvalOptions eval;
  eval.ks = options.ks;
  const io::DomainSplit cold_part = filter_test_cases(target, target_part, task.cold, true);
  const io::DomainSplit warm_part = filter_test_cases(target, target_part, task.cold, false);
  if (options.protocol == "sampled" && split.kind == "cold_start_users" && cold_part.test.empty()) {
    throw io::UsageError("split '" + split.name + "' has no cold-start test users in '" + options.target +
                         "', though it is a cold_start_users split; make it with a larger cold-start fraction");
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
  if (options.rank_all_items) {
    task.test_all_items = gnn::make_joint_full_evaluator(
        dataset, {{options.source, task.source_part}, {options.target, &target_part}}, gnn::EvalSet::kTest, eval);
  }
}

// make_task for one source domain the split has a part for.
TransferTask build_task(const io::Dataset& dataset, const TransferOptions& requested) {
  TransferTask task;
  task.dataset = &dataset;
  task.options = requested;
  TransferOptions& options = task.options;
  canonicalise_method(options);
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
  if (options.rank_all_items && options.protocol != "full") {
    throw io::UsageError("rank_all_items ranks among every item under the full protocol, but the protocol is " +
                         options.protocol);
  }

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
  task.source_popularity.assign(task.source_items, 0.0);
  for (const auto& pair : source_pairs) task.source_popularity[pair.second] += 1.0;
  task.target_popularity.assign(task.target_items, 0.0);
  for (const auto& pair : target_pairs) task.target_popularity[pair.second] += 1.0;

  task.bridges = item_and_category_bridges(source, target);
  task.bridges.shared_users = task.shared_users;
  resolve_features(task, source, target);
  task.source_item_trained = trained_items(task.source_items, source_pairs);
  task.target_item_trained = trained_items(task.target_items, target_pairs);
  task.union_item_trained = torch::cat({task.source_item_trained, task.target_item_trained});
  std::vector<int64_t> source_categories, target_categories;
  if (options.graph.categories) {
    std::tie(source_categories, target_categories) = category_nodes(source, target, &task.num_categories);
  }
  const DomainPart s{&source, task.source_part, &source_categories}, t{&target, &target_part, &target_categories};
  task.source_graph = typed_graph(dataset, {s}, task.num_categories, options);
  task.target_graph = typed_graph(dataset, {t}, task.num_categories, options);
  if (options.align.on == "auto") {
    options.align.on = task.shared_users.empty() && !task.bridges.shared_items.empty() ? "items" : "users";
  }
  if (options.link_items) task.linked_source_item = linked_items(task.bridges, task.target_items);
  const bool merge = task.num_linked_items() > 0;
  task.union_graph = typed_graph(dataset, {s, t}, task.num_categories, options, merge ? &task.linked_source_item : nullptr);
  if (merge) index_union_items(task);
  task.source_sampler = std::make_unique<gnn::NegativeSampler>(
      gnn::NegativeSampler::for_split(dataset, options.source, *task.source_part));
  task.target_sampler = std::make_unique<gnn::NegativeSampler>(
      gnn::NegativeSampler::for_split(dataset, options.target, target_part));

  add_evaluators(task, split, target);
  return task;
}

}  // namespace

TransferTask make_task(const io::Dataset& dataset, const TransferOptions& requested) {
  validate(requested);
  if (!needs_merged_sources(dataset, requested)) {
    TransferTask task = build_task(dataset, requested);
    task.given = &dataset;
    task.source_names = {requested.source};
    return task;
  }
  auto merged = std::make_shared<MergedSources>(merge_sources(dataset, requested));
  TransferOptions options = requested;
  options.source = merged->source_name;
  std::shared_ptr<const io::Dataset> derived(merged, &merged->dataset);
  TransferTask task = build_task(*derived, options);
  task.given = &dataset;
  task.derived = std::move(derived);
  task.source_names = merged->names;
  return task;
}

int64_t TransferTask::num_linked_items() const {
  return std::count_if(linked_source_item.begin(), linked_source_item.end(), [](int64_t s) { return s >= 0; });
}

torch::Tensor as_index(const std::vector<int64_t>& v) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kInt64).clone();
}

torch::Tensor cold_column(const TransferTask& task) {
  return torch::from_blob(const_cast<uint8_t*>(task.cold.data()), {task.num_users, 1}, torch::kUInt8).to(torch::kBool);
}

namespace {

// log(1 + counts) as a [counts, 1] double column.
torch::Tensor log1p_column(const std::vector<double>& counts) {
  return torch::from_blob(const_cast<double*>(counts.data()), {static_cast<int64_t>(counts.size()), 1}, torch::kDouble)
      .log1p();
}

}  // namespace

torch::Tensor log_popularity(const TransferTask& task) { return log1p_column(task.target_popularity); }

torch::Tensor log_source_popularity(const TransferTask& task) { return log1p_column(task.source_popularity); }

torch::Tensor shared_user_mask(const TransferTask& task) {
  torch::Tensor mask = torch::zeros({task.num_users}, torch::kBool);
  mask.index_fill_(0, as_index(task.shared_users), true);
  return mask;
}

bool has_both_sides(const TransferTask& task) {
  return task.source_sampler->active_users().size() >= 2 && task.target_sampler->active_users().size() >= 2;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace graft::transfer
