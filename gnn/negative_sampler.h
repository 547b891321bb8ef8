// Training triples (user, positive item, negative item) for pairwise losses such as BPR.
//
// An epoch draws exactly as many triples as there are training interactions, each like the
// reference LightGCN implementation's UniformSample: a user uniformly among the users with at
// least one training item, one of that user's training items uniformly, and one item uniformly
// among the domain's items the user has no training interaction with.
//
// Only the training interactions are ever read, so validation and test items can be drawn as
// negatives exactly as in the reference (they are unknown to the model).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "graph_io/dataset.h"
#include "graph_io/user_csr.h"

namespace graft::gnn {

// Parallel int64 tensors [n]: users[k] interacted with positives[k] in training, not with negatives[k].
struct Triples {
  torch::Tensor users, positives, negatives;
  int64_t size() const { return users.size(0); }
};

class NegativeSampler {
 public:
  // `users` / `items`: the training interactions as parallel arrays, users in [0, num_users),
  // items in [0, num_items). Throws UsageError when the arrays differ in length or an id is out
  // of range, and DataError when a user interacted with every item (no negative exists).
  NegativeSampler(const std::vector<int64_t>& users, const std::vector<int64_t>& items,
                  int64_t num_users, int64_t num_items);

  // The sampler over the training interactions of `domain` in `split`.
  static NegativeSampler for_split(const io::Dataset& dataset, const std::string& domain,
                                   const io::DomainSplit& split);

  int64_t num_users() const { return static_cast<int64_t>(positives_.offsets.size()) - 1; }
  int64_t num_items() const { return num_items_; }
  int64_t num_interactions() const { return num_interactions_; }
  // Users with at least one training item, ascending.
  const std::vector<int64_t>& active_users() const { return active_users_; }

  // The user's distinct training items, ascending: [begin, end).
  const int64_t* positives_begin(int64_t user) const { return positives_.begin(user); }
  const int64_t* positives_end(int64_t user) const { return positives_.end(user); }
  bool is_positive(int64_t user, int64_t item) const;

  // One item uniform among the items the user has no training interaction with. Exact and
  // rejection-free, so its cost does not grow with the user's degree: a rank r uniform among the
  // I - |P| non-positives maps to item r + #{k : P[k] - k <= r} (P the sorted positives).
  int64_t sample_negative(int64_t user, std::mt19937_64& rng) const;

  // One epoch of num_interactions() triples. Drawn in fixed chunks, each from its own generator
  // (io::derive_seed(seed, "chunk/<c>")), in parallel: the result depends on the seed only, not
  // on the thread count.
  Triples sample_epoch(uint64_t seed) const;
  // Data parallel: only the chunks of rows c with c % shards == shard are drawn (as sample_epoch
  // draws them), the other rows are 0, so the ranks' results summed are sample_epoch(seed).
  Triples sample_epoch_shard(uint64_t seed, int shard, int shards) const;

 private:
  int64_t num_items_ = 0;
  int64_t num_interactions_ = 0;
  io::UserCsr positives_;  // distinct training items of each user, ascending
  std::vector<int64_t> active_users_;
};

}  // namespace graft::gnn
