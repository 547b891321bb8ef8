#include "gnn/evaluator.h"

#include "gnn/communicator.h"
#include "gnn/device.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "graph_io/errors.h"

namespace graft::gnn {

namespace {

// Per-row item lists in CSR form: row r is items[offsets[r], offsets[r + 1]), ascending, distinct.
struct ItemLists {
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> items;

  void add_row(std::vector<int64_t> row) {
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    items.insert(items.end(), row.begin(), row.end());
    offsets.push_back(static_cast<int64_t>(items.size()));
  }
  const int64_t* begin(int64_t r) const { return items.data() + offsets[r]; }
  int64_t size(int64_t r) const { return offsets[r + 1] - offsets[r]; }
};

// Restores the module's training flag on scope exit.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(Recommender& model) : model_(model), was_training_(model.is_training()) { model_.eval(); }
  ~EvalModeGuard() { model_.train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  Recommender& model_;
  bool was_training_;
};

double discount(int64_t rank) { return 1.0 / std::log2(static_cast<double>(rank) + 2.0); }

// Column sums of per-row metric vectors [rows × m], summed in row order so the result does not
// depend on how rows were spread over threads.
std::vector<double> column_sums(const std::vector<double>& per_row, size_t m) {
  std::vector<double> sums(m, 0.0);
  const size_t rows = m == 0 ? 0 : per_row.size() / m;
  for (size_t j = 0; j < m; ++j) {
    for (size_t r = 0; r < rows; ++r) sums[j] += per_row[r * m + j];
  }
  return sums;
}

Metrics means(const std::vector<double>& sums, const std::vector<std::string>& names, int64_t rows) {
  Metrics out;
  for (size_t j = 0; j < names.size(); ++j) out[names[j]] = rows == 0 ? 0.0 : sums[j] / static_cast<double>(rows);
  return out;
}

void check_ks(const std::vector<int64_t>& ks) {
  if (ks.empty()) throw io::UsageError("evaluation: no cut-off K given");
  for (const int64_t k : ks) {
    if (k < 1) throw io::UsageError("evaluation: cut-off K must be at least 1, got " + std::to_string(k));
  }
}

// The metrics of one sampled case from its rank, in the order of sampled_metric_names.
void sampled_case_metrics(int64_t rank, const std::vector<int64_t>& ks, double* out) {
  for (const int64_t k : ks) {
    const bool hit = rank < k;
    *out++ = hit ? 1.0 : 0.0;
    *out++ = hit ? discount(rank) : 0.0;
  }
  *out = 1.0 / static_cast<double>(rank + 1);
}

torch::Tensor index_tensor(const int64_t* data, int64_t n) {
  return torch::from_blob(const_cast<int64_t*>(data), {n}, torch::kInt64).clone();
}

// Full ranking over the items of `parts` laid end to end; the relevant items are the last part's.
class FullRankingEvaluator : public Evaluator {
 public:
  FullRankingEvaluator(const io::Dataset& dataset, const std::vector<RankedPart>& parts, EvalSet set,
                       std::vector<int64_t> ks, int64_t batch_size)
      : ks_(std::move(ks)), names_(full_ranking_metric_names(ks_)), batch_size_(batch_size) {
    const int64_t num_users = dataset.num_users();
    std::vector<std::vector<int64_t>> relevant(num_users), excluded(num_users);
    for (const RankedPart& part : parts) {
      const io::Domain& d = dataset.domain(part.domain);
      const int64_t offset = num_items_;
      const auto add = [&](const std::vector<int64_t>& indices, std::vector<std::vector<int64_t>>& into) {
        for (const int64_t k : indices) into[d.interactions.user.at(k)].push_back(offset + d.interactions.item.at(k));
      };
      if (&part == &parts.back()) add(set == EvalSet::kValid ? part.split->valid : part.split->test, relevant);
      add(part.split->train, excluded);
      if (set == EvalSet::kTest) add(part.split->valid, excluded);
      num_items_ += d.num_items();
    }
    for (int64_t u = 0; u < num_users; ++u) {
      if (relevant[u].empty()) continue;
      users_.push_back(u);
      relevant_.add_row(std::move(relevant[u]));
      excluded_.add_row(std::move(excluded[u]));
    }
    if (batch_size_ == 0) batch_size_ = full_ranking_batch(num_items_);
  }

  int64_t size() const override { return static_cast<int64_t>(users_.size()); }
  const std::vector<std::string>& metric_names() const override { return names_; }

  std::vector<double> metric_sums(Recommender& model, int64_t begin, int64_t end) const override {
    torch::NoGradGuard no_grad;
    EvalModeGuard eval_mode(model);
    const Representations reps = model.represent();
    const int64_t m = static_cast<int64_t>(names_.size());
    const int64_t k_max = *std::max_element(ks_.begin(), ks_.end());
    const torch::Device device = device_of(model);  // scores come back to the CPU for ranking
    std::vector<double> per_user((end - begin) * m);
    for (int64_t first = begin; first < end; first += batch_size_) {
      const int64_t count = std::min(batch_size_, end - first);
      torch::Tensor scores = model.score_all_items(reps, index_tensor(users_.data() + first, count).to(device))
                                 .to(torch::kCPU, torch::kFloat)
                                 .contiguous();
      TORCH_CHECK(scores.dim() == 2 && scores.size(0) == count && scores.size(1) == num_items_,
                  "full ranking: ", model.model_name(), " scored ", scores.sizes(), " for ", count,
                  " users and ", num_items_, " items");
      float* s = scores.data_ptr<float>();
      at::parallel_for(0, count, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          const int64_t row = first + b;
          float* row_scores = s + b * num_items_;
          for (int64_t e = 0; e < excluded_.size(row); ++e) {
            row_scores[excluded_.begin(row)[e]] = -std::numeric_limits<float>::infinity();
          }
          full_ranking_user_metrics(top_k(row_scores, num_items_, k_max), relevant_.begin(row),
                                    relevant_.size(row), ks_, per_user.data() + (row - begin) * m);
        }
      });
    }
    return column_sums(per_user, names_.size());
  }

 private:
  std::vector<int64_t> ks_;
  std::vector<std::string> names_;
  int64_t batch_size_;
  int64_t num_items_ = 0;
  std::vector<int64_t> users_;  // users with at least one held-out item, ascending
  ItemLists relevant_, excluded_;  // per row of users_
};

class SampledEvaluator : public Evaluator {
 public:
  SampledEvaluator(const io::Dataset& dataset, const std::string& domain, const io::DomainSplit& split,
                   EvalSet set, std::vector<int64_t> ks, int64_t batch_size)
      : ks_(std::move(ks)), names_(sampled_metric_names(ks_)), batch_size_(batch_size),
        negatives_per_case_(split.negatives_per_case) {
    const io::Domain& d = dataset.domain(domain);
    const std::vector<int64_t>& cases = set == EvalSet::kValid ? split.valid : split.test;
    negatives_ = set == EvalSet::kValid ? split.valid_negatives : split.test_negatives;
    if (negatives_per_case_ <= 0) {
      throw io::UsageError("sampled evaluation: split part '" + domain +
                           "' has no sampled negatives; add them (graft data split --negatives 999) or use "
                           "the full protocol");
    }
    const size_t expected = cases.size() * static_cast<size_t>(negatives_per_case_);
    if (negatives_.size() != expected) {
      throw io::DataError("sampled evaluation: domain '" + domain + "' has " + std::to_string(negatives_.size()) +
                          " " + eval_set_name(set) + " negatives, expected " + std::to_string(cases.size()) +
                          " cases × " + std::to_string(negatives_per_case_));
    }
    for (const int64_t k : cases) {
      users_.push_back(d.interactions.user.at(k));
      items_.push_back(d.interactions.item.at(k));
    }
  }

  int64_t size() const override { return static_cast<int64_t>(users_.size()); }
  const std::vector<std::string>& metric_names() const override { return names_; }

  std::vector<double> metric_sums(Recommender& model, int64_t begin, int64_t end) const override {
    torch::NoGradGuard no_grad;
    EvalModeGuard eval_mode(model);
    const Representations reps = model.represent();
    const int64_t m = static_cast<int64_t>(names_.size());
    const int64_t n = negatives_per_case_;
    const torch::Device device = device_of(model);  // scores come back to the CPU for ranking
    std::vector<double> per_case((end - begin) * m);
    // score_pairs gathers a user row and an item row per candidate, which for wide representations
    // (co-occurrence columns: thousands) is memory-bound; there, when the catalogue is not much
    // larger than the candidate list, one GEMM against every item and a gather of the candidates
    // is several times faster. Narrow representations keep the pairwise path (and its rounding).
    const int64_t width = std::max<int64_t>(1, reps.users.size(1));
    const bool all_items = width >= 256 && reps.items.size(0) <= 16 * (n + 1);
    constexpr int64_t kMaxGathered = int64_t{1} << 25;  // floats held at once
    const int64_t held_per_case = all_items ? reps.items.size(0) : (n + 1) * width;
    const int64_t batch = std::clamp<int64_t>(kMaxGathered / held_per_case, 1, batch_size_);
    for (int64_t first = begin; first < end; first += batch) {
      const int64_t count = std::min(batch, end - first);
      // Row c of the candidates: the ground truth, then its n negatives.
      torch::Tensor candidates = torch::empty({count, n + 1}, torch::kInt64);
      int64_t* cand = candidates.data_ptr<int64_t>();
      for (int64_t c = 0; c < count; ++c) {
        cand[c * (n + 1)] = items_[first + c];
        std::copy_n(negatives_.data() + (first + c) * n, n, cand + c * (n + 1) + 1);
      }
      const torch::Tensor case_users = index_tensor(users_.data() + first, count).to(device);
      const torch::Tensor on_device = candidates.to(device);
      const torch::Tensor scores =
          (all_items ? model.score_all_items(reps, case_users).gather(1, on_device)
                     : model.score_pairs(reps, case_users.repeat_interleave(n + 1), on_device.view({-1})))
              .to(torch::kCPU, torch::kFloat)
              .view({count, n + 1})
              .contiguous();
      const float* s = scores.data_ptr<float>();
      at::parallel_for(0, count, 1, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c) {
          const float* row = s + c * (n + 1);
          sampled_case_metrics(sampled_rank(row[0], row + 1, n), ks_, per_case.data() + (first + c - begin) * m);
        }
      });
    }
    return column_sums(per_case, names_.size());
  }

 private:
  std::vector<int64_t> ks_;
  std::vector<std::string> names_;
  int64_t batch_size_;
  int64_t negatives_per_case_;
  std::vector<int64_t> users_, items_;  // one per case
  std::vector<int64_t> negatives_;      // [cases × negatives_per_case_]
};

}  // namespace

Metrics Evaluator::evaluate(Recommender& model) const {
  return means(metric_sums(model, 0, size()), metric_names(), size());
}

Metrics Evaluator::evaluate(Recommender& model, Communicator* communicator) const {
  if (communicator == nullptr || communicator->world_size() == 1) return evaluate(model);
  const auto [begin, end] = shard_range(size(), communicator->rank(), communicator->world_size());
  std::vector<double> sums = metric_sums(model, begin, end);
  torch::Tensor total = torch::tensor(sums, torch::kFloat64);
  communicator->all_reduce_sum(total);
  std::copy_n(total.data_ptr<double>(), sums.size(), sums.begin());
  return means(sums, metric_names(), size());
}

std::vector<int64_t> top_k(const float* scores, int64_t n, int64_t k) {
  using Entry = std::pair<float, int64_t>;
  // "a ranks before b"; as a heap comparator it keeps the worst kept entry on top.
  const auto before = [](const Entry& a, const Entry& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::vector<Entry> heap;
  heap.reserve(static_cast<size_t>(std::max<int64_t>(k, 0)));
  for (int64_t i = 0; i < n && k > 0; ++i) {
    const float s = scores[i];
    if (!(s > -std::numeric_limits<float>::infinity())) continue;
    if (static_cast<int64_t>(heap.size()) < k) {
      heap.emplace_back(s, i);
      std::push_heap(heap.begin(), heap.end(), before);
    } else if (s > heap.front().first) {
      // A later index never beats an equal score, so only a strictly higher one enters.
      std::pop_heap(heap.begin(), heap.end(), before);
      heap.back() = {s, i};
      std::push_heap(heap.begin(), heap.end(), before);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), before);
  std::vector<int64_t> out(heap.size());
  std::transform(heap.begin(), heap.end(), out.begin(), [](const Entry& e) { return e.second; });
  return out;
}

std::vector<std::string> full_ranking_metric_names(const std::vector<int64_t>& ks) {
  std::vector<std::string> names;
  for (const int64_t k : ks) {
    for (const char* metric : {"recall", "ndcg", "precision", "hr"}) names.push_back(metric + ("@" + std::to_string(k)));
  }
  return names;
}

void full_ranking_user_metrics(const std::vector<int64_t>& ranking, const int64_t* relevant,
                               int64_t num_relevant, const std::vector<int64_t>& ks, double* out) {
  for (const int64_t k : ks) {
    const int64_t depth = std::min<int64_t>(k, static_cast<int64_t>(ranking.size()));
    int64_t hits = 0;
    double dcg = 0.0, idcg = 0.0;
    for (int64_t r = 0; r < depth; ++r) {
      if (std::binary_search(relevant, relevant + num_relevant, ranking[r])) {
        ++hits;
        dcg += discount(r);
      }
    }
    for (int64_t r = 0; r < std::min(k, num_relevant); ++r) idcg += discount(r);
    *out++ = static_cast<double>(hits) / static_cast<double>(num_relevant);
    *out++ = dcg / idcg;
    *out++ = static_cast<double>(hits) / static_cast<double>(k);
    *out++ = hits > 0 ? 1.0 : 0.0;
  }
}

Metrics full_ranking_metrics(const torch::Tensor& scores, const std::vector<std::vector<int64_t>>& relevant,
                             const std::vector<int64_t>& ks) {
  check_ks(ks);
  TORCH_CHECK(scores.dim() == 2 && scores.size(0) == static_cast<int64_t>(relevant.size()),
              "full_ranking_metrics: scores must be [B, I] with B = ", relevant.size(), ", got ", scores.sizes());
  const torch::Tensor s = scores.to(torch::kFloat).contiguous();
  const int64_t num_items = s.size(1);
  const int64_t k_max = *std::max_element(ks.begin(), ks.end());
  const std::vector<std::string> names = full_ranking_metric_names(ks);
  std::vector<double> per_row;
  for (size_t b = 0; b < relevant.size(); ++b) {
    ItemLists lists;
    lists.add_row(relevant[b]);
    if (lists.size(0) == 0) continue;
    per_row.resize(per_row.size() + names.size());
    full_ranking_user_metrics(top_k(s.data_ptr<float>() + b * num_items, num_items, k_max), lists.begin(0),
                              lists.size(0), ks, per_row.data() + per_row.size() - names.size());
  }
  return means(column_sums(per_row, names.size()), names, static_cast<int64_t>(per_row.size() / names.size()));
}

int64_t sampled_rank(float positive, const float* negatives, int64_t n) {
  int64_t rank = 0;
  for (int64_t j = 0; j < n; ++j) rank += negatives[j] >= positive ? 1 : 0;
  return rank;
}

std::vector<std::string> sampled_metric_names(const std::vector<int64_t>& ks) {
  std::vector<std::string> names;
  for (const int64_t k : ks) {
    names.push_back("hr@" + std::to_string(k));
    names.push_back("ndcg@" + std::to_string(k));
  }
  names.push_back("mrr");
  return names;
}

Metrics sampled_metrics(const torch::Tensor& positive, const torch::Tensor& negatives, const std::vector<int64_t>& ks) {
  check_ks(ks);
  TORCH_CHECK(positive.dim() == 1 && negatives.dim() == 2 && negatives.size(0) == positive.size(0),
              "sampled_metrics: expected positive [C] and negatives [C, n], got ", positive.sizes(), " and ",
              negatives.sizes());
  const torch::Tensor p = positive.to(torch::kFloat).contiguous();
  const torch::Tensor neg = negatives.to(torch::kFloat).contiguous();
  const int64_t cases = p.size(0), n = neg.size(1);
  const std::vector<std::string> names = sampled_metric_names(ks);
  std::vector<double> per_case(cases * names.size());
  for (int64_t c = 0; c < cases; ++c) {
    sampled_case_metrics(sampled_rank(p.data_ptr<float>()[c], neg.data_ptr<float>() + c * n, n), ks,
                         per_case.data() + c * names.size());
  }
  return means(column_sums(per_case, names.size()), names, cases);
}

const char* eval_set_name(EvalSet set) { return set == EvalSet::kValid ? "valid" : "test"; }

std::vector<std::string> protocol_names() { return {"full", "sampled"}; }

namespace {

std::vector<int64_t> checked_ks(const EvalOptions& options, bool full) {
  std::vector<int64_t> ks = options.ks;
  if (ks.empty()) ks = full ? std::vector<int64_t>{10, 20, 50} : std::vector<int64_t>{1, 5, 10};
  check_ks(ks);
  return ks;
}

// 0 (full ranking): chosen by the evaluator from the catalogue (full_ranking_batch).
int64_t checked_batch_size(const EvalOptions& options, bool full) {
  if (options.batch_size < 0) {
    throw io::UsageError("evaluation: batch size must be positive, got " + std::to_string(options.batch_size));
  }
  return options.batch_size > 0 ? options.batch_size : (full ? 0 : 256);
}

void require_cases(const io::DomainSplit& split, EvalSet set, const std::string& domain) {
  if ((set == EvalSet::kValid ? split.valid : split.test).empty()) {
    throw io::UsageError(std::string("evaluation: the split has no ") + eval_set_name(set) +
                         " interactions in domain '" + domain + "'");
  }
}

}  // namespace

int64_t full_ranking_batch(int64_t items) {
  return std::clamp<int64_t>((int64_t{256} << 20) / std::max<int64_t>(1, 4 * items), 16, 1024);
}

std::unique_ptr<Evaluator> make_evaluator(const std::string& protocol, const io::Dataset& dataset,
                                          const std::string& domain, const io::DomainSplit& split,
                                          EvalSet set, const EvalOptions& options) {
  const bool full = protocol == "full";
  if (!full && protocol != "sampled") {
    throw io::UsageError("unknown evaluation protocol '" + protocol + "'; valid protocols: full, sampled");
  }
  std::vector<int64_t> ks = checked_ks(options, full);
  const int64_t batch_size = checked_batch_size(options, full);
  require_cases(split, set, domain);
  if (full) {
    return std::make_unique<FullRankingEvaluator>(dataset, std::vector<RankedPart>{{domain, &split}}, set,
                                                  std::move(ks), batch_size);
  }
  return std::make_unique<SampledEvaluator>(dataset, domain, split, set, std::move(ks), batch_size);
}

std::unique_ptr<Evaluator> make_joint_full_evaluator(const io::Dataset& dataset, const std::vector<RankedPart>& parts,
                                                     EvalSet set, const EvalOptions& options) {
  if (parts.empty()) throw io::UsageError("evaluation: a joint ranking needs at least one domain");
  std::vector<int64_t> ks = checked_ks(options, true);
  const int64_t batch_size = checked_batch_size(options, true);
  require_cases(*parts.back().split, set, parts.back().domain);
  return std::make_unique<FullRankingEvaluator>(dataset, parts, set, std::move(ks), batch_size);
}

}  // namespace graft::gnn
