// Per-user views of one domain's interactions in CSR form, built by counting sort in O(N + U):
// the splits walk each user's interactions, the negative sampler looks up each user's items.
#pragma once

#include <cstdint>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// Values grouped by global user id: user u owns values[offsets[u], offsets[u + 1]).
struct UserCsr {
  std::vector<int64_t> offsets;  // [num_users + 1]
  std::vector<int64_t> values;

  int64_t count(int64_t user) const { return offsets[user + 1] - offsets[user]; }
  const int64_t* begin(int64_t user) const { return values.data() + offsets[user]; }
  const int64_t* end(int64_t user) const { return values.data() + offsets[user + 1]; }
};

// Interaction indices of each user, ascending.
UserCsr interactions_by_user(const Interactions& interactions, int64_t num_users);

// Distinct items of each user, ascending.
UserCsr items_by_user(const Interactions& interactions, int64_t num_users);

}  // namespace graft::io
