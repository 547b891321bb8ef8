// Method "cdrib": the faithful port of CDRIB's training and evaluation (train_rec.py,
// model/trainer.py, utils/loader.py of cjx96/CDRIB; transfer/CDRIB_REFERENCE.md §1, §3–5). The
// model is transfer/cdrib_model.h. Where graft deviates, and why, is in transfer/README.md.
//
// As in the reference, one run trains both directions at once: each step encodes both domains'
// full graphs and pays four BCE means (positive and negative, source and target interactions of a
// mixed batch), both domains' KL terms and the critic. Users active in both domains score each
// domain from the other domain's encoder while training (the reference's swap); at evaluation a
// user's target vector comes from the source encoder whenever the user has source training
// interactions (so every cold-start user's does), and symmetrically for the source direction,
// whose cold-start cases are scored too (notes and history), as the reference prints both.
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "transfer/cdrib_model.h"
#include "transfer/cross_domain_model.h"
#include "transfer/methods.h"
#include "transfer/transfer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iomanip>
#include <random>
#include <sstream>

namespace graft::transfer {
namespace {

// A domain as CDRIB sees it: a user table of its own (the users with training interactions there
// and the domain's cold-start users, ascending), its items and its row-normalised training graph.
struct CdribDomain {
  std::vector<int64_t> row_user;  // table row → global user
  std::vector<int64_t> user_row;  // global user → table row, −1 outside the table
  const gnn::NegativeSampler* sampler = nullptr;  // training positives, global users
  cdrib::BipartiteGraph graph;

  int64_t users() const { return static_cast<int64_t>(row_user.size()); }
  int64_t items() const { return graph.items; }
  bool active(int64_t user) const { return sampler->positives_begin(user) != sampler->positives_end(user); }
};

CdribDomain make_domain(const gnn::NegativeSampler& sampler, const std::vector<int64_t>& cold_users) {
  CdribDomain d;
  d.sampler = &sampler;
  d.user_row.assign(static_cast<size_t>(sampler.num_users()), -1);
  for (const int64_t u : sampler.active_users()) d.user_row[static_cast<size_t>(u)] = 0;
  for (const int64_t u : cold_users) d.user_row[static_cast<size_t>(u)] = 0;
  for (int64_t u = 0; u < sampler.num_users(); ++u) {
    if (d.user_row[static_cast<size_t>(u)] < 0) continue;
    d.user_row[static_cast<size_t>(u)] = d.users();
    d.row_user.push_back(u);
  }
  std::vector<int64_t> rows, items;
  for (const int64_t u : sampler.active_users()) {
    for (const int64_t* i = sampler.positives_begin(u); i != sampler.positives_end(u); ++i) {
      rows.push_back(d.user_row[static_cast<size_t>(u)]);
      items.push_back(*i);
    }
  }
  d.graph = cdrib::row_normalised_graph(d.users(), sampler.num_items(), rows, items);
  return d;
}

// One training interaction: its domain (0 source, 1 target), global user and item.
struct Example {
  int domain;
  int64_t user, item;
};

// Every training interaction, source first, shuffled once and padded with the first
// batch − (n mod batch) of the shuffled order, so every batch is full; the order is fixed for all
// epochs (utils/loader.py).
std::vector<Example> training_order(const CdribDomain& source, const CdribDomain& target, int64_t batch,
                                    uint64_t seed) {
  std::vector<Example> order;
  for (const CdribDomain* d : {&source, &target}) {
    for (const int64_t u : d->sampler->active_users()) {
      for (const int64_t* i = d->sampler->positives_begin(u); i != d->sampler->positives_end(u); ++i) {
        order.push_back({d == &target ? 1 : 0, u, *i});
      }
    }
  }
  std::mt19937_64 rng(io::derive_seed(seed, "cdrib/order"));
  std::shuffle(order.begin(), order.end(), rng);
  const auto n = static_cast<int64_t>(order.size());
  if (n % batch != 0) {
    const int64_t pad = batch - n % batch;
    for (int64_t k = 0; k < pad; ++k) order.push_back(order[static_cast<size_t>(k % n)]);
  }
  return order;
}

// loader.find_neg: up to five uniform draws over all the domain's items; the first one the user
// has no training interaction with, else the fifth (which may be a positive).
int64_t reference_negative(const CdribDomain& d, int64_t user, std::mt19937_64& rng) {
  std::uniform_int_distribution<int64_t> item(0, d.items() - 1);
  int64_t draw = 0;
  for (int tries = 0; tries < 5; ++tries) {
    draw = item(rng);
    if (!d.sampler->is_positive(user, draw)) break;
  }
  return draw;
}

// One domain's part of a batch: table rows, positive and negative items.
struct DomainBatch {
  std::vector<int64_t> rows, positives, negatives;
};

// The two domains' parts of examples [begin, end), negatives drawn afresh.
std::array<DomainBatch, 2> make_batch(const std::vector<Example>& order, size_t begin, size_t end,
                                      const CdribDomain& source, const CdribDomain& target, std::mt19937_64& rng) {
  std::array<DomainBatch, 2> parts;
  for (size_t k = begin; k < end; ++k) {
    const Example& e = order[k];
    const CdribDomain& d = e.domain == 0 ? source : target;
    DomainBatch& part = parts[static_cast<size_t>(e.domain)];
    part.rows.push_back(d.user_row[static_cast<size_t>(e.user)]);
    part.positives.push_back(e.item);
    part.negatives.push_back(reference_negative(d, e.user, rng));
  }
  return parts;
}

// BCE(u·i⁺, 1) + BCE(u·i⁻, 0), each a mean over the part; zero for an empty part (the reference
// would give NaN, which its batch size makes impossible on its data).
torch::Tensor recommendation_loss(const torch::Tensor& users, const torch::Tensor& items, const DomainBatch& part) {
  if (part.rows.empty()) return torch::zeros({});
  namespace F = torch::nn::functional;
  const torch::Tensor u = users.index_select(0, as_index(part.rows));
  const torch::Tensor positive = (u * items.index_select(0, as_index(part.positives))).sum(1);
  const torch::Tensor negative = (u * items.index_select(0, as_index(part.negatives))).sum(1);
  return F::binary_cross_entropy_with_logits(positive, torch::ones_like(positive)) +
         F::binary_cross_entropy_with_logits(negative, torch::zeros_like(negative));
}

// randperm(n)[:count], as the reference picks its critic's users.
torch::Tensor first_of_permutation(int64_t n, int64_t count) {
  return torch::randperm(n, torch::kLong).slice(0, 0, count);
}

// Metrics under `prefix` ("", "test:", "source_valid:", ...).
void put(Metrics& into, const std::string& prefix, const Metrics& metrics) {
  for (const auto& [name, value] : metrics) into[prefix + name] = value;
}

std::string describe(const Metrics& m) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(4);
  for (const char* name : {"mrr", "ndcg@10", "hr@10"}) {
    if (m.count(name)) out << (out.tellp() > 0 ? " " : "") << name << " " << m.at(name);
  }
  return out.str();
}

class Cdrib final : public TransferMethod {
 public:
  std::string name() const override { return "cdrib"; }

  void fit(std::shared_ptr<const TransferTask> task, FitLog& log) override {
    task_ = std::move(task);
    const CdribOptions& o = task_->options.cdrib;
    if (task_->source_names.size() > 1) {
      throw io::UsageError("cdrib: trains one source domain with the target, got sources '" + task_->options.source + "'");
    }
    source_ = make_domain(*task_->source_sampler, task_->source_part->cold_start_users);
    target_ = make_domain(*task_->target_sampler, task_->target_part->cold_start_users);
    std::vector<int64_t> source_rows, target_rows;
    for (const int64_t u : task_->shared_users) {
      source_rows.push_back(source_.user_row[static_cast<size_t>(u)]);
      target_rows.push_back(target_.user_row[static_cast<size_t>(u)]);
    }
    shared_source_rows_ = as_index(source_rows);
    shared_target_rows_ = as_index(target_rows);
    reverse_ = reverse_task(log);
    torch::manual_seed(io::derive_seed(task_->options.seed, "cdrib/torch"));
    model_ = cdrib::CdribModel(source_.users(), source_.items(), target_.users(), target_.items(), o);
    log.parameters.total = log.parameters.trainable = count_parameters();
    log.notes.push_back(describe_tables());
    train(log);
  }

  gnn::Representations target_representations() override {
    return best_target_ ? *best_target_ : scoring_representations().first;
  }

 private:
  std::shared_ptr<const TransferTask> task_;
  std::unique_ptr<TransferTask> reverse_;  // source ↔ target, for the source direction's cases
  CdribDomain source_, target_;
  torch::Tensor shared_source_rows_, shared_target_rows_;  // table rows of the users active in both domains
  cdrib::CdribModel model_{nullptr};
  std::optional<gnn::Representations> best_target_;

  // The task with the domains swapped, whose evaluators score the source's cold-start users; null
  // (with a note) when the source has no cold-start test cases.
  std::unique_ptr<TransferTask> reverse_task(FitLog& log) const {
    const io::DomainSplit& part = *task_->source_part;
    if (part.cold_start_users.empty() || part.test.empty()) {
      log.notes.push_back("cdrib: '" + task_->options.source + "' has no cold-start test cases; only '" +
                          task_->options.target + "' is evaluated");
      return nullptr;
    }
    TransferOptions reverse = task_->options;
    std::swap(reverse.source, reverse.target);
    return std::make_unique<TransferTask>(make_task(*task_->dataset, reverse));
  }

  std::string describe_tables() const {
    std::ostringstream out;
    out << "cdrib: user tables " << source_.users() << " ('" << task_->options.source << "') and " << target_.users()
        << " ('" << task_->options.target << "'), " << task_->shared_users.size()
        << " users active in both domains (scored across encoders while training); items " << source_.items() << " and "
        << target_.items() << "; " << count_parameters() << " parameters";
    return out.str();
  }
  int64_t count_parameters() const {
    int64_t n = 0;
    for (const torch::Tensor& p : model_->parameters()) n += p.numel();
    return n;
  }

  void train(FitLog& log) {
    const CdribOptions& o = task_->options.cdrib;
    const std::vector<Example> order = training_order(source_, target_, o.batch_size, task_->options.seed);
    torch::optim::Adam optimizer(model_->parameters(), torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
    const auto start = Clock::now();
    double lr = o.lr, evaluate_seconds = 0.0, best_target = -1.0, best_source = -1.0, previous_source = 0.0;
    int64_t evaluations = 0;
    for (int64_t epoch = 1; epoch <= o.epochs; ++epoch) {
      const auto epoch_start = Clock::now();
      std::mt19937_64 rng(io::derive_seed(task_->options.seed, "cdrib/negatives/" + std::to_string(epoch)));
      double loss_sum = 0.0;
      int64_t batches = 0;
      for (size_t begin = 0; begin < order.size(); begin += static_cast<size_t>(o.batch_size), ++batches) {
        const auto batch = make_batch(order, begin, begin + static_cast<size_t>(o.batch_size), source_, target_, rng);
        loss_sum += step(batch, optimizer);
        if (task_->options.verbose && (batches + 1) % 50 == 0) {
          std::fprintf(stderr, "cdrib epoch %lld: %lld batches, %.3f s/batch\n", static_cast<long long>(epoch),
                       static_cast<long long>(batches + 1), seconds_since(epoch_start) / static_cast<double>(batches + 1));
        }
      }
      EpochLog entry{"train", epoch, batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0, {}, 0.0};
      entry.metrics["loss_sum"] = loss_sum;
      entry.metrics["lr"] = lr;
      entry.seconds = seconds_since(epoch_start);
      if (epoch >= o.eval_from && (epoch - o.eval_from) % o.eval_every == 0) {
        const auto eval_start = Clock::now();
        ++evaluations;
        const double source_mrr = evaluate(entry.metrics, best_target, best_source, epoch, log);
        // train_rec.py: after decay_after evaluations, a source validation MRR no better than the
        // previous evaluation's lowers the learning rate.
        if (reverse_ && evaluations > o.decay_after && source_mrr <= previous_source) {
          lr *= o.lr_decay;
          gnn::set_learning_rate(optimizer, lr);
        }
        previous_source = source_mrr;
        evaluate_seconds += seconds_since(eval_start);
      }
      if (task_->options.verbose) print_progress(entry, o.epochs);
      log.history.push_back(std::move(entry));
    }
    log.phase_seconds["train"] = seconds_since(start) - evaluate_seconds;
    log.phase_seconds["evaluate_epochs"] = evaluate_seconds;
  }

  // One optimiser step on a mixed batch; the batch loss.
  double step(const std::array<DomainBatch, 2>& batch, torch::optim::Adam& optimizer) {
    const CdribOptions& o = task_->options.cdrib;
    model_->train();
    optimizer.zero_grad();
    const cdrib::Encoded s = model_->source(source_.graph);
    const cdrib::Encoded t = model_->target(target_.graph);
    const torch::Tensor& shared_s = shared_source_rows_;
    const torch::Tensor& shared_t = shared_target_rows_;
    // Users active in both domains are scored in each domain by the other domain's encoder.
    const torch::Tensor s_users = s.users.index_copy(0, shared_s, t.users.index_select(0, shared_t));
    const torch::Tensor t_users = t.users.index_copy(0, shared_t, s.users.index_select(0, shared_s));
    torch::Tensor loss = recommendation_loss(s_users, s.items, batch[0]) +
                         recommendation_loss(t_users, t.items, batch[1]) + s.kl + t.kl;
    if (o.critic_weight > 0 && shared_s.size(0) > 0) loss = loss + o.critic_weight * critic(s.users, t.users);
    loss.backward();
    optimizer.step();
    return loss.item<double>();
  }

  // The critic on a random batch of shared users against random users of each domain's table.
  torch::Tensor critic(const torch::Tensor& s_users, const torch::Tensor& t_users) {
    const CdribOptions& o = task_->options.cdrib;
    const torch::Tensor perm = first_of_permutation(shared_source_rows_.size(0), o.critic_users);
    const int64_t k = perm.size(0);
    const torch::Tensor a = s_users.index_select(0, shared_source_rows_.index_select(0, perm));
    const torch::Tensor b = t_users.index_select(0, shared_target_rows_.index_select(0, perm));
    const torch::Tensor b_negative = t_users.index_select(0, first_of_permutation(target_.users(), k));
    const torch::Tensor a_negative = s_users.index_select(0, first_of_permutation(source_.users(), k));
    return cdrib::critic_loss(model_->discriminator, a, b, a_negative, b_negative, o);
  }

  // {target scoring, source scoring} representations of the model in eval mode: a user's vector
  // for a domain comes from the other domain's encoder when the user has training interactions
  // there, else from the domain's own table (zero for a user in neither table).
  std::pair<gnn::Representations, gnn::Representations> scoring_representations() {
    torch::NoGradGuard no_grad;
    model_->eval();
    const cdrib::Encoded s = model_->source(source_.graph);
    const cdrib::Encoded t = model_->target(target_.graph);
    const torch::Tensor rows = torch::cat({s.users, t.users, torch::zeros({1, s.users.size(1)})});
    const auto read = [&](const CdribDomain& other, int64_t other_offset, const CdribDomain& own, int64_t own_offset) {
      std::vector<int64_t> index(static_cast<size_t>(task_->num_users), rows.size(0) - 1);
      for (int64_t u = 0; u < task_->num_users; ++u) {
        const int64_t other_row = other.user_row[static_cast<size_t>(u)], own_row = own.user_row[static_cast<size_t>(u)];
        if (other_row >= 0 && other.active(u)) index[static_cast<size_t>(u)] = other_offset + other_row;
        else if (own_row >= 0) index[static_cast<size_t>(u)] = own_offset + own_row;
      }
      return rows.index_select(0, as_index(index));
    };
    const int64_t s_offset = 0, t_offset = s.users.size(0);
    return {{read(source_, s_offset, target_, t_offset), t.items}, {read(target_, t_offset, source_, s_offset), s.items}};
  }

  // Validation (and test) of both directions into `metrics`; keeps the target's best-validation
  // representations and notes the source direction's test at its best validation. The source
  // direction's validation MRR (0 without it), which drives the learning-rate decay.
  double evaluate(Metrics& metrics, double& best_target, double& best_source, int64_t epoch, FitLog& log) {
    const auto [target_reps, source_reps] = scoring_representations();
    const std::string& selection = task_->options.selection_metric;
    FixedRecommender target_scorer(target_reps);
    const Metrics valid = task_->valid->evaluate(target_scorer);
    put(metrics, "", valid);
    put(metrics, "test:", test_evaluator(*task_).evaluate(target_scorer));
    if (valid.at(selection) > best_target) {
      best_target = valid.at(selection);
      best_target_ = target_reps;
      log.best_valid = valid;
    }
    if (!reverse_) return 0.0;
    FixedRecommender source_scorer(source_reps);
    const Metrics source_valid = reverse_->valid->evaluate(source_scorer);
    const Metrics source_test = test_evaluator(*reverse_).evaluate(source_scorer);
    put(metrics, "source_valid:", source_valid);
    put(metrics, "source_test:", source_test);
    if (source_valid.at(selection) > best_source) {
      best_source = source_valid.at(selection);
      const auto stale = [](const std::string& n) { return n.rfind("cdrib: source direction", 0) == 0; };
      log.notes.erase(std::remove_if(log.notes.begin(), log.notes.end(), stale), log.notes.end());
      log.notes.push_back("cdrib: source direction ('" + task_->options.target + "' -> '" + task_->options.source +
                          "', cold-start users) at its best validation " + selection + " (epoch " +
                          std::to_string(epoch) + "): test " + describe(source_test) + "; valid " +
                          describe(source_valid));
    }
    return source_valid.at(selection);
  }

  static const gnn::Evaluator& test_evaluator(const TransferTask& task) {
    return task.test_cold ? *task.test_cold : *task.test;
  }

  static void print_progress(const EpochLog& e, int64_t epochs) {
    std::fprintf(stderr, "cdrib epoch %lld/%lld  loss %.6f  (%.3f sec/epoch)  lr %.6f", static_cast<long long>(e.epoch),
                 static_cast<long long>(epochs), e.loss, e.seconds, e.metrics.at("lr"));
    for (const char* key : {"mrr", "test:mrr", "source_valid:mrr", "source_test:mrr"}) {
      if (e.metrics.count(key)) std::fprintf(stderr, "  %s %.4f", key, e.metrics.at(key));
    }
    std::fprintf(stderr, "\n");
  }
};

}  // namespace

std::unique_ptr<TransferMethod> make_cdrib() { return std::make_unique<Cdrib>(); }

}  // namespace graft::transfer
