// What a transfer run reports: target metrics for cold-start and warm users, the source–target
// discrepancy of user representations before and after adaptation, the negative-transfer verdict
// against target_only, per-phase wall-clock and per-epoch curves. Plain data (no LibTorch), so
// experiments/ can store and tabulate it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace graft::transfer {

using Metrics = std::map<std::string, double>;

struct Discrepancy {
  double linear_mmd = 0.0;        // ‖mean(h_source) − mean(h_target)‖²
  double proxy_a_distance = 0.0;  // 2(1 − 2ε), ε the held-out error of a linear domain classifier
};

// Up to 1,000 users' representations from each graph, for 2-D projections: row k is a user's
// source-graph (domain[k] == "source") or target-graph ("target") representation.
struct RepresentationSample {
  std::vector<std::string> domain;
  std::vector<std::vector<float>> rows;
};

// Parameters of the adaptation phase: those it trains and all there are (the model's, with any
// adapters or LoRA updates, and the objective parts' own, e.g. a discriminator).
struct ParameterCount {
  int64_t trainable = 0, total = 0;
};

struct EpochLog {
  std::string phase;              // "pretrain" | "adapt" | ...
  int64_t epoch = 0;              // 1-based within the phase
  double loss = 0.0;
  Metrics metrics;                // validation metrics when evaluated, plus e.g. "disc_acc"
  double seconds = 0.0;
};

struct Verdict {
  std::string metric;             // the compared metric on the cold-start users (or all users)
  double method = 0.0, target_only = 0.0;
  double difference = 0.0;        // method − target_only
  std::string text;               // e.g. "positive transfer: +0.0412 mrr over target_only"
};

struct TransferReport {
  std::string method, source, target, split, protocol;
  uint64_t seed = 0;
  std::vector<std::string> notes;        // e.g. "cold-start users scored by item popularity"
  Metrics cold_start;                    // test metrics over cold-start users' cases (empty if none)
  Metrics warm;                          // test metrics over the other users' cases (empty if none)
  Metrics overall;                       // all test cases
  Metrics all_items;                     // rank_all_items: test items ranked among source and target items
  int64_t all_items_users = 0;
  int64_t cold_start_cases = 0, warm_cases = 0;
  Metrics best_valid;                    // validation metrics at the selected epoch
  int64_t valid_cases = 0;
  ParameterCount parameters;             // of the adaptation phase
  std::string bridges;                   // Bridges::describe() of the task
  std::optional<Discrepancy> before, after;  // user representations, source graph vs target graph
  std::optional<RepresentationSample> sample_before, sample_after;  // with keep_representations
  std::optional<Verdict> verdict;        // absent for target_only itself
  std::map<std::string, double> source_weights;  // multi_source: each source domain's final loss weight
  std::map<std::string, double> phase_seconds;  // "pretrain", "adapt", "evaluate", ...
  std::vector<EpochLog> history;
};

// The human-readable report `graft transfer` prints.
std::string format_report(const TransferReport& report);

}  // namespace graft::transfer
