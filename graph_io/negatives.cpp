// Sampled-ranking negatives (PROTOCOLS.md, "Sampled ranking with 999 negatives" and "with 99
// negatives"): per valid/test case, items drawn uniformly without replacement from the part's
// training items (in a new_items split also its held-out items; in a leave_one_out split every
// item of its interactions, the market's items of the 99-negative protocol), excluding every item
// the user interacted with anywhere in the domain.
#include <algorithm>
#include <random>

#include "graph_io/errors.h"
#include "graph_io/seeded_random.h"
#include "graph_io/split_builders.h"
#include "graph_io/user_csr.h"

namespace graft::io {

namespace {

// Draws the negatives of one domain's cases. Rejection sampling against the user's sorted items
// costs O(count) draws while candidates are plentiful; when a user has fewer than twice `count`
// candidates, drawing from the explicit candidate list is cheaper.
class CaseSampler {
 public:
  CaseSampler(const Dataset& dataset, const Domain& domain, const DomainSplit& part, const Split& split,
              int64_t count, uint64_t seed)
      : dataset_(dataset),
        domain_(domain),
        split_(split.name),
        count_(count),
        rng_(seed),
        positives_(items_by_user(domain.interactions, dataset.num_users())),
        is_candidate_(static_cast<size_t>(domain.num_items()), false),
        last_case_(static_cast<size_t>(domain.num_items()), -1),
        available_(static_cast<size_t>(dataset.num_users()), -1) {
    for (const int64_t row : part.train) is_candidate_[domain.interactions.item[row]] = true;
    if (split.kind == "leave_one_out") {
      for (const auto* rows : {&part.valid, &part.test}) {
        for (const int64_t row : *rows) is_candidate_[domain.interactions.item[row]] = true;
      }
    }
    if (split.kind == "new_items") {
      const std::vector<uint8_t> held_out = held_out_items(domain, part);
      for (size_t item = 0; item < held_out.size(); ++item) {
        if (held_out[item]) is_candidate_[item] = true;
      }
    }
    for (int64_t item = 0; item < domain.num_items(); ++item) {
      if (is_candidate_[item]) candidates_.push_back(item);
    }
  }

  // Appends the negatives of one case of `user` to `out`.
  void draw(int64_t user, std::vector<int64_t>& out) {
    const int64_t available = available_for(user);
    if (available < count_) {
      throw DataError("split '" + split_ + "', domain '" + domain_.name + "': user '" + dataset_.user_ids[user] +
                      "' (index " + std::to_string(user) + ") has " + std::to_string(available) +
                      " candidate items it never interacted with, fewer than the " + std::to_string(count_) +
                      " negatives asked per case");
    }
    if (2 * count_ <= available) {
      draw_by_rejection(user, out);
    } else {
      draw_from_list(user, out);
    }
    ++case_;
  }

 private:
  int64_t available_for(int64_t user) {
    int64_t& a = available_[user];
    if (a < 0) {
      a = static_cast<int64_t>(candidates_.size()) -
          std::count_if(positives_.begin(user), positives_.end(user),
                        [&](int64_t item) { return is_candidate_[item]; });
    }
    return a;
  }

  void draw_by_rejection(int64_t user, std::vector<int64_t>& out) {
    for (int64_t filled = 0; filled < count_;) {
      const int64_t item = candidates_[draw_below(rng_, candidates_.size())];
      if (last_case_[item] == case_ || std::binary_search(positives_.begin(user), positives_.end(user), item)) {
        continue;
      }
      last_case_[item] = case_;
      out.push_back(item);
      ++filled;
    }
  }

  void draw_from_list(int64_t user, std::vector<int64_t>& out) {
    pool_.clear();
    std::set_difference(candidates_.begin(), candidates_.end(), positives_.begin(user), positives_.end(user),
                        std::back_inserter(pool_));
    for (int64_t i = 0; i < count_; ++i) {
      std::swap(pool_[i], pool_[i + draw_below(rng_, pool_.size() - i)]);
      out.push_back(pool_[i]);
    }
  }

  const Dataset& dataset_;
  const Domain& domain_;
  const std::string& split_;
  const int64_t count_;
  std::mt19937_64 rng_;
  const UserCsr positives_;          // each user's distinct items, ascending
  std::vector<bool> is_candidate_;   // item is a candidate (see the comment at the top)
  std::vector<int64_t> candidates_;  // those items, ascending
  std::vector<int64_t> last_case_;   // per item, the last case that drew it
  std::vector<int64_t> available_;   // per user, candidates minus its items; -1 until needed
  std::vector<int64_t> pool_;
  int64_t case_ = 0;
};

}  // namespace

void draw_negatives(const Dataset& dataset, Split& split, int64_t count, uint64_t seed) {
  if (count < 0) throw UsageError("--negatives must be >= 0, got " + std::to_string(count));
  std::vector<DomainSplit> parts = split.parts;
  for (DomainSplit& part : parts) {
    part.negatives_per_case = count;
    part.valid_negatives.clear();
    part.test_negatives.clear();
    if (count == 0 || (part.valid.empty() && part.test.empty())) continue;
    const Domain& domain = dataset.domain(part.domain);
    CaseSampler sampler(dataset, domain, part, split, count,
                        derive_seed(seed, "negatives/" + split.name + "/" + domain.name));
    part.valid_negatives.reserve(part.valid.size() * count);
    part.test_negatives.reserve(part.test.size() * count);
    for (const int64_t row : part.valid) sampler.draw(domain.interactions.user[row], part.valid_negatives);
    for (const int64_t row : part.test) sampler.draw(domain.interactions.user[row], part.test_negatives);
  }
  split.parts = std::move(parts);
  split.params["negatives"] = std::to_string(count);
  split.params["negatives_seed"] = std::to_string(seed);
}

void sample_negatives(Dataset& dataset, const std::string& split, int64_t count, uint64_t seed) {
  const Split& existing = dataset.split(split);
  Split updated = existing;
  draw_negatives(dataset, updated, count, seed);
  *dataset.find_split(split) = std::move(updated);
}

}  // namespace graft::io
