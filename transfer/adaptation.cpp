#include "transfer/adaptation.h"

#include "gnn/gather_rows.h"
#include "gnn/losses.h"
#include "gnn/spmm.h"
#include "gnn/trainer.h"
#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "transfer/alignment_losses.h"
#include "transfer/domain_discriminator.h"
#include "transfer/gradient_reversal.h"
#include "transfer/variational_bottleneck.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

namespace graft::transfer {
namespace {


torch::Tensor pair_logits(const gnn::Representations& reps, const torch::Tensor& users, const torch::Tensor& items) {
  return (gnn::gather_rows(reps.users, users) * gnn::gather_rows(reps.items, items)).sum(-1);
}

// Per-pair loss (BPR or BCE) weighted per pair, mean over pairs.
torch::Tensor weighted_pair_loss(const std::string& loss, const torch::Tensor& positive, const torch::Tensor& negative,
                                 const torch::Tensor& weights) {
  const torch::Tensor per_pair = loss == "bce" ? torch::softplus(-positive) + torch::softplus(negative)
                                               : torch::softplus(negative - positive);
  return (per_pair * weights).mean();
}

// The trainable parameter groups of a fine-tuning mode, each with its learning rate.
std::vector<std::pair<std::vector<torch::Tensor>, double>> parameter_groups(CrossDomainModel& model,
                                                                             const std::string& mode,
                                                                             const TransferOptions& options) {
  const double lr = options.adapt.lr;
  const int64_t layers = model.encoder()->num_layers();
  std::vector<std::pair<std::vector<torch::Tensor>, double>> groups;
  groups.push_back({{model.target_items(), model.target_item_bias()}, lr});
  groups.push_back({model.encoder()->head_parameters(), lr});
  if (mode == "frozen_encoder") return groups;
  if (mode == "last_k") {
    for (int64_t k = std::max<int64_t>(0, layers - options.finetune.last_k); k < layers; ++k) {
      groups.push_back({model.encoder()->layer_parameters(k), lr});
    }
    return groups;
  }
  const bool discriminative = mode == "discriminative";
  for (int64_t k = 0; k < layers; ++k) {
    groups.push_back({model.encoder()->layer_parameters(k),
                      discriminative ? lr * std::pow(options.finetune.lr_decay, layers - k) : lr});
  }
  groups.push_back({{model.users(), model.source_items(), model.source_item_bias()},
                    discriminative ? lr * std::pow(options.finetune.lr_decay, layers + 1) : lr});
  return groups;
}

// Freezes every parameter outside `groups` for the lifetime of the guard.
class FreezeGuard {
 public:
  FreezeGuard(CrossDomainModel& model, const std::vector<std::pair<std::vector<torch::Tensor>, double>>& groups) {
    for (auto& p : model.parameters()) {
      bool trainable = false;
      for (const auto& group : groups) {
        for (const auto& t : group.first) trainable = trainable || t.is_same(p);
      }
      if (!trainable && p.requires_grad()) {
        p.set_requires_grad(false);
        frozen_.push_back(p);
      }
    }
  }
  ~FreezeGuard() {
    for (auto& p : frozen_) p.set_requires_grad(true);
  }

 private:
  std::vector<torch::Tensor> frozen_;
};

std::vector<int64_t> draw_users(const std::vector<int64_t>& users, int64_t count, std::mt19937_64& rng) {
  std::vector<int64_t> out(static_cast<size_t>(count));
  for (auto& u : out) u = users[io::draw_below(rng, users.size())];
  return out;
}

// min(count, |users|) distinct users, drawn at random (a partial Fisher–Yates shuffle).
std::vector<int64_t> draw_distinct(std::vector<int64_t> users, int64_t count, std::mt19937_64& rng) {
  const size_t n = std::min(users.size(), static_cast<size_t>(count));
  for (size_t k = 0; k < n; ++k) std::swap(users[k], users[k + io::draw_below(rng, users.size() - k)]);
  users.resize(n);
  return users;
}

std::string progress_line(const EpochLog& record, int64_t epochs) {
  std::ostringstream line;
  line << record.phase << " epoch " << record.epoch << "/" << epochs << "  loss " << std::fixed
       << std::setprecision(5) << record.loss;
  for (const auto& [name, value] : record.metrics) line << "  " << name << " " << std::setprecision(4) << value;
  line << "  " << std::setprecision(2) << record.seconds << " s";
  return line.str();
}

}  // namespace

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Tensor as_index(const std::vector<int64_t>& v) {
  return torch::from_blob(const_cast<int64_t*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kInt64).clone();
}

torch::Tensor cold_column(const TransferTask& task) {
  return torch::from_blob(const_cast<uint8_t*>(task.cold.data()), {task.num_users, 1}, torch::kUInt8).to(torch::kBool);
}

torch::Tensor log_popularity(const TransferTask& task) {
  return torch::from_blob(const_cast<double*>(task.target_popularity.data()), {task.target_items, 1}, torch::kDouble)
      .log1p();
}

bool has_both_sides(const TransferTask& task) {
  return task.source_sampler->active_users().size() >= 2 && task.target_sampler->active_users().size() >= 2;
}

gnn::Representations cold_from_source_graph(CrossDomainModel& model) {
  gnn::Representations target = model.represent(GraphKind::kTarget);
  const TransferTask& task = model.task();
  if (task.num_cold_users() == 0) return target;
  const torch::Tensor source_users = model.represent(GraphKind::kSource).users;
  return model.with_item_bias({torch::where(cold_column(task), source_users, target.users), target.items},
                              GraphKind::kTarget);
}

ItemUserEdges item_user_edges(const gnn::SparseGraph& graph, int64_t num_users, const std::vector<int64_t>& users) {
  const int64_t U = num_users;
  const torch::Tensor rows = graph.row_indices().to(torch::kInt64), cols = graph.csr().col.to(torch::kInt64);
  torch::Tensor wanted = torch::zeros({U}, torch::kBool);
  if (!users.empty()) wanted.index_fill_(0, as_index(users), true);
  const torch::Tensor keep = rows.ge(U).logical_and(cols.lt(U)).logical_and(wanted.index_select(0, cols.clamp_max(U - 1)));
  return {rows.masked_select(keep) - U, cols.masked_select(keep)};
}

SharedNeighbourhood::SharedNeighbourhood(const TransferTask& task) {
  const int64_t U = task.num_users, I = task.source_items;
  const gnn::SparseGraph& graph = task.source_graph;  // [users | items]², symmetric
  // item → shared user, weighted 1/√|S_v|.
  const ItemUserEdges to_shared = item_user_edges(graph, U, task.shared_users);
  const torch::Tensor shared_degree = torch::bincount(to_shared.items, {}, I).to(torch::kFloat);
  item_shared_ = gnn::SparseGraph::from_coo(I, U, to_shared.items, to_shared.users,
                                            shared_degree.index_select(0, to_shared.items).rsqrt());
  // user → source item reaching at least one shared user, weighted 1/√n_u.
  const torch::Tensor rows = graph.row_indices().to(torch::kInt64), cols = graph.csr().col.to(torch::kInt64);
  const torch::Tensor reaching = rows.lt(U).logical_and(cols.ge(U));
  const torch::Tensor u = rows.masked_select(reaching), v = cols.masked_select(reaching) - U;
  const torch::Tensor useful = shared_degree.index_select(0, v).gt(0);
  const torch::Tensor uu = u.masked_select(useful), vv = v.masked_select(useful);
  const torch::Tensor user_degree = torch::bincount(uu, {}, U).to(torch::kFloat);
  user_item_ = gnn::SparseGraph::from_coo(U, I, uu, vv, user_degree.index_select(0, uu).rsqrt());
}

torch::Tensor SharedNeighbourhood::operator()(const torch::Tensor& target_users) const {
  return gnn::spmm(user_item_, gnn::spmm(item_shared_, target_users));
}

ScoringFunction cold_from_shared_neighbourhood(const TransferTask& task, double mix) {
  auto neighbourhood = std::make_shared<SharedNeighbourhood>(task);
  return [neighbourhood, mix](CrossDomainModel& model) {
    const TransferTask& task = model.task();
    gnn::Representations target = model.represent(GraphKind::kTarget);
    if (task.num_cold_users() == 0) return model.with_item_bias(target, GraphKind::kTarget);
    torch::Tensor cold_reps = (*neighbourhood)(target.users);
    if (mix < 1.0) cold_reps = mix * cold_reps + (1.0 - mix) * model.represent(GraphKind::kSource).users;
    return model.with_item_bias({torch::where(cold_column(task), cold_reps, target.users), target.items},
                                GraphKind::kTarget);
  };
}

gnn::Representations union_scoring(CrossDomainModel& model) {
  gnn::Representations reps = model.represent(GraphKind::kUnion);
  const int64_t source_items = model.task().source_items;
  return model.with_item_bias({reps.users, reps.items.narrow(0, source_items, reps.items.size(0) - source_items)},
                              GraphKind::kTarget);
}

gnn::Representations with_popularity_fallback(const gnn::Representations& reps, const TransferTask& task) {
  const torch::Tensor cold = cold_column(task).to(reps.users.scalar_type());
  const torch::Tensor popularity = log_popularity(task).to(reps.items.scalar_type());
  return {torch::cat({reps.users * (1 - cold), cold}, 1), torch::cat({reps.items, popularity}, 1)};
}

Metrics validate_target(const TransferTask& task, const gnn::Representations& reps) {
  if (!task.valid) return {};
  FixedRecommender fixed({reps.users.detach(), reps.items.detach()});
  return task.valid->evaluate(fixed);
}

torch::Tensor sample_rows(const torch::Tensor& reps, const std::vector<int64_t>& users, int64_t count, uint64_t seed) {
  std::vector<int64_t> chosen = users;
  if (static_cast<int64_t>(chosen.size()) > count) {
    std::mt19937_64 rng(seed);
    io::seeded_shuffle(chosen, rng);
    chosen.resize(static_cast<size_t>(count));
  }
  return reps.index_select(0, as_index(chosen));
}

RepresentationSample sample_representations(const TransferTask& task, const torch::Tensor& source_users,
                                            const torch::Tensor& target_users, int64_t count, uint64_t seed) {
  RepresentationSample sample;
  const auto add = [&](const torch::Tensor& reps, const std::vector<int64_t>& users, const char* domain, uint64_t s) {
    const torch::Tensor rows = sample_rows(reps.detach(), users, count, s).to(torch::kFloat).contiguous();
    for (int64_t r = 0; r < rows.size(0); ++r) {
      const float* row = rows[r].data_ptr<float>();
      sample.rows.emplace_back(row, row + rows.size(1));
      sample.domain.emplace_back(domain);
    }
  };
  add(source_users, task.source_sampler->active_users(), "source", seed);
  add(target_users, task.target_sampler->active_users(), "target", seed + 1);
  return sample;
}

void pretrain_source(CrossDomainModel& model, const TransferTask& task, FitLog& log) {
  const auto start = Clock::now();
  const TransferOptions& options = task.options;
  gnn::TrainOptions train;
  train.epochs = options.pretrain.epochs;
  train.batch_size = options.pretrain.batch_size;
  train.lr = options.pretrain.lr;
  train.weight_decay = options.pretrain.weight_decay;
  train.loss = options.loss;
  train.seed = io::derive_seed(options.seed, "pretrain");
  train.threads = options.threads;
  // The view shares the model's parameters: it is only a way to train through gnn::train.
  auto shared = std::shared_ptr<CrossDomainModel>(&model, [](CrossDomainModel*) {});
  DomainView view(shared, GraphKind::kSource);
  const gnn::TrainResult result = gnn::train(view, *task.source_sampler, train, {},
                                             [&](const gnn::EpochRecord& record, double) {
                                               EpochLog entry{"pretrain", record.epoch, record.loss, {}, record.seconds};
                                               if (options.verbose) std::cerr << progress_line(entry, train.epochs) << "\n";
                                               log.history.push_back(entry);
                                             });
  log.phase_seconds["pretrain"] += seconds_since(start);
}

void adapt(CrossDomainModel& model, const TransferTask& task, const AdaptationPlan& plan, FitLog& log) {
  const auto start = Clock::now();
  const TransferOptions& options = task.options;
  const PhaseOptions& phase = options.adapt;
  gnn::set_num_threads(options.threads);
  gnn::reuse_freed_memory();
  torch::manual_seed(io::derive_seed(options.seed, plan.phase + "/torch"));

  auto groups = parameter_groups(model, plan.finetune_mode, options);
  FreezeGuard freeze(model, groups);
  DomainDiscriminator discriminator{nullptr};
  const bool adversarial = plan.alignment == "adversarial";
  if (adversarial) {
    discriminator = DomainDiscriminator(DomainDiscriminatorOptions(model.encoder()->out_dim(), options.align.hidden)
                                            .seed(io::derive_seed(options.seed, "discriminator")));
    groups.push_back({discriminator->parameters(), phase.lr});
  }
  VariationalBottleneck bottleneck{nullptr};
  if (plan.kl_weight > 0.0) {
    bottleneck = VariationalBottleneck(model.encoder()->out_dim(), options.bottleneck.init_sigma);
    groups.push_back({bottleneck->parameters(), phase.lr});
  }
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  for (const auto& [params, lr] : groups) {
    std::vector<torch::Tensor> trainable;
    for (const auto& p : params) {
      if (p.requires_grad()) trainable.push_back(p);
    }
    if (!trainable.empty()) {
      param_groups.emplace_back(trainable, std::make_unique<torch::optim::AdamOptions>(lr));
    }
  }
  torch::optim::Adam optimizer(param_groups, torch::optim::AdamOptions(phase.lr));

  const bool joint = plan.graph == GraphKind::kUnion;
  const bool use_source = plan.source_weight > 0.0;
  // Alignment needs users active in each domain (a zero-shot target has none).
  const bool align = !plan.alignment.empty() && !task.target_sampler->active_users().empty();
  const bool bridge = plan.bridge_weight > 0.0 && !joint && !task.shared_users.empty();
  const bool reverse_bridge = bridge && use_source && plan.reverse_bridge;
  const bool contrast = plan.contrastive_weight > 0.0 && !joint && task.shared_users.size() >= 2;
  torch::Tensor shared_mask;
  if (bridge) {
    shared_mask = torch::zeros({task.num_users}, torch::kBool);
    shared_mask.index_fill_(0, as_index(task.shared_users), true);
  }
  const std::vector<int64_t>& source_users = task.source_sampler->active_users();
  const std::vector<int64_t>& target_users = task.target_sampler->active_users();
  torch::Tensor user_weights;
  if (!plan.source_user_weights.empty()) {
    user_weights = torch::from_blob(const_cast<float*>(plan.source_user_weights.data()),
                                    {static_cast<int64_t>(plan.source_user_weights.size())}, torch::kFloat)
                       .clone();
  }

  const std::string metric = options.selection_metric;
  std::vector<torch::Tensor> best_state;
  double best = -std::numeric_limits<double>::infinity();
  int64_t since_best = 0;
  bool selected = false;
  model.train();
  for (int64_t epoch = 1; epoch <= phase.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const std::string tag = plan.phase + "/epoch/" + std::to_string(epoch);
    const gnn::Triples target = task.target_sampler->sample_epoch(io::derive_seed(options.seed, tag + "/target"));
    gnn::Triples source;
    if (use_source) source = task.source_sampler->sample_epoch(io::derive_seed(options.seed, tag + "/source"));
    // Joint training sweeps both domains' triples once per epoch; otherwise an epoch is one pass
    // over the target's, with the source's spread evenly over its batches.
    const int64_t pass = joint ? target.size() + source.size() : target.size();
    const int64_t batches = std::max<int64_t>(1, (pass + phase.batch_size - 1) / phase.batch_size);
    const int64_t target_batch = (target.size() + batches - 1) / batches;
    const int64_t source_batch = (source.size() + batches - 1) / batches;
    std::mt19937_64 rng(io::derive_seed(options.seed, tag + "/align"));

    double loss_sum = 0.0;
    for (int64_t b = 0; b < batches; ++b) {
      const double progress =
          (static_cast<double>(epoch - 1) + static_cast<double>(b) / static_cast<double>(batches)) /
          static_cast<double>(phase.epochs);
      const int64_t first = b * target_batch;
      const int64_t count = std::min(target_batch, target.size() - first);
      if (count <= 0) continue;
      const torch::Tensor u = target.users.narrow(0, first, count);
      torch::Tensor pos = target.positives.narrow(0, first, count);
      torch::Tensor neg = target.negatives.narrow(0, first, count);

      gnn::Representations main = model.represent(plan.graph);
      gnn::Representations target_reps = main, source_reps;
      if (joint) {
        const int64_t si = task.source_items;
        target_reps.items = main.items.narrow(0, si, task.target_items);
        source_reps = {main.users, main.items.narrow(0, 0, si)};
      } else if (use_source || align || bridge || contrast) {
        source_reps = model.represent(GraphKind::kSource);
      }
      torch::Tensor kl_target, kl_source;
      if (bottleneck) {
        std::tie(target_reps.users, kl_target) = bottleneck->forward(target_reps.users);
        if (source_reps.users.defined()) std::tie(source_reps.users, kl_source) = bottleneck->forward(source_reps.users);
      }
      const gnn::Representations target_scoring = model.with_item_bias(target_reps, GraphKind::kTarget);
      torch::Tensor loss = gnn::pairwise_loss(options.loss, pair_logits(target_scoring, u, pos),
                                              pair_logits(target_scoring, u, neg)) +
                           gnn::l2_regularizer(model.batch_l2(GraphKind::kTarget, u, pos, neg), count, phase.weight_decay);
      if (use_source && source_batch > 0 && b * source_batch < source.size()) {
        const int64_t sfirst = b * source_batch;
        const int64_t scount = std::min(source_batch, source.size() - sfirst);
        const torch::Tensor su = source.users.narrow(0, sfirst, scount);
        const torch::Tensor sp = source.positives.narrow(0, sfirst, scount);
        const torch::Tensor sn = source.negatives.narrow(0, sfirst, scount);
        const torch::Tensor weights = user_weights.defined() ? user_weights.index_select(0, su) : torch::ones({scount});
        const gnn::Representations source_scoring = model.with_item_bias(source_reps, GraphKind::kSource);
        loss = loss + plan.source_weight *
                          (weighted_pair_loss(options.loss, pair_logits(source_scoring, su, sp),
                                              pair_logits(source_scoring, su, sn), weights) +
                           gnn::l2_regularizer(model.batch_l2(GraphKind::kSource, su, sp, sn), scount,
                                               phase.weight_decay));
        if (kl_source.defined()) loss = loss + plan.kl_weight * kl_source.index_select(0, su).mean();
        if (reverse_bridge) {
          const torch::Tensor rows = shared_mask.index_select(0, su).nonzero().squeeze(1);
          if (rows.numel() > 0) {
            const gnn::Representations crossed =
                model.with_item_bias({target_reps.users, source_reps.items}, GraphKind::kSource);
            const torch::Tensor bu = su.index_select(0, rows);
            loss = loss + plan.bridge_weight * gnn::pairwise_loss(options.loss,
                                                                  pair_logits(crossed, bu, sp.index_select(0, rows)),
                                                                  pair_logits(crossed, bu, sn.index_select(0, rows)));
          }
        }
      }
      if (kl_target.defined()) loss = loss + plan.kl_weight * kl_target.index_select(0, u).mean();
      if (bridge) {
        const torch::Tensor rows = shared_mask.index_select(0, u).nonzero().squeeze(1);
        if (rows.numel() > 0) {
          const torch::Tensor bu = u.index_select(0, rows);
          const gnn::Representations crossed =
              model.with_item_bias({source_reps.users, target_reps.items}, GraphKind::kTarget);
          loss = loss + plan.bridge_weight * gnn::pairwise_loss(options.loss,
                                                                pair_logits(crossed, bu, pos.index_select(0, rows)),
                                                                pair_logits(crossed, bu, neg.index_select(0, rows)));
          if (kl_source.defined()) loss = loss + plan.kl_weight * kl_source.index_select(0, bu).mean();
        }
      }
      if (align) {
        const int64_t n = options.align.batch_users;
        const torch::Tensor hs = source_reps.users.index_select(0, as_index(draw_users(source_users, n, rng)));
        const torch::Tensor ht = target_reps.users.index_select(0, as_index(draw_users(target_users, n, rng)));
        if (adversarial) {
          const double lambda = grl_lambda(progress, options.align.gamma, options.align.weight);
          loss = loss + domain_adversarial_loss(discriminator, hs, ht, lambda);
        } else {
          loss = loss + options.align.weight * alignment_loss(plan.alignment, hs, ht, options.align);
        }
      }
      if (contrast) {
        const torch::Tensor users = as_index(draw_distinct(task.shared_users, options.align.batch_users, rng));
        loss = loss + plan.contrastive_weight * info_nce(source_reps.users.index_select(0, users),
                                                         target_reps.users.index_select(0, users),
                                                         options.bottleneck.temperature);
      }
      if (!plan.anchor.empty()) {
        const auto params = model.parameters();
        torch::Tensor penalty = torch::zeros({});
        for (size_t k = 0; k < params.size(); ++k) {
          const bool new_or_item = params[k].is_same(model.target_items()) || params[k].is_same(model.source_items()) ||
                                   params[k].is_same(model.target_item_bias()) ||
                                   params[k].is_same(model.source_item_bias());
          if (new_or_item) continue;
          if (params[k].requires_grad()) penalty = penalty + (params[k] - plan.anchor[k]).pow(2).sum();
        }
        loss = loss + options.finetune.l2sp_weight * penalty;
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
    }

    EpochLog record{plan.phase, epoch, batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0, {}, 0.0};
    if (!std::isfinite(record.loss)) {
      throw std::runtime_error(plan.phase + ": the loss of epoch " + std::to_string(epoch) + " is " +
                               std::to_string(record.loss) + "; try a lower learning rate");
    }
    if (adversarial && align) {
      torch::NoGradGuard no_grad;
      std::mt19937_64 probe(io::derive_seed(options.seed, tag + "/probe"));
      const int64_t n = options.align.batch_users;
      const gnn::Representations s = model.represent(GraphKind::kSource);
      const gnn::Representations t = model.represent(GraphKind::kTarget);
      record.metrics["disc_acc"] = discriminator_accuracy(
          discriminator, s.users.index_select(0, as_index(draw_users(source_users, n, probe))),
          t.users.index_select(0, as_index(draw_users(target_users, n, probe))));
    }
    bool stop = false;
    if (task.valid && (epoch % phase.eval_every == 0 || epoch == phase.epochs)) {
      Metrics metrics;
      {
        torch::NoGradGuard no_grad;
        metrics = validate_target(task, plan.scoring(model));
      }
      const auto it = metrics.find(metric);
      if (it == metrics.end()) {
        throw io::UsageError("selection metric '" + metric + "' is not reported by the " + task.options.protocol +
                             " protocol");
      }
      if (!selected || it->second > best) {
        selected = true;
        best = it->second;
        best_state = model.snapshot();
        log.best_valid = metrics;
        since_best = 0;
      } else {
        stop = phase.patience > 0 && ++since_best >= phase.patience;
      }
      for (const auto& [name, value] : metrics) record.metrics["valid_" + name] = value;
    }
    record.seconds = seconds_since(epoch_start);
    if (options.verbose) std::cerr << progress_line(record, phase.epochs) << "\n";
    log.history.push_back(record);
    if (stop) break;
  }
  if (selected) model.restore(best_state);
  log.phase_seconds[plan.phase] += seconds_since(start);
}

}  // namespace graft::transfer
