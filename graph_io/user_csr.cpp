#include "graph_io/user_csr.h"

#include <algorithm>

namespace graft::io {

UserCsr interactions_by_user(const Interactions& interactions, int64_t num_users) {
  UserCsr csr;
  csr.offsets.assign(static_cast<size_t>(num_users) + 1, 0);
  for (const int64_t u : interactions.user) ++csr.offsets[u + 1];
  for (int64_t u = 0; u < num_users; ++u) csr.offsets[u + 1] += csr.offsets[u];
  csr.values.resize(interactions.size());
  std::vector<int64_t> next(csr.offsets.begin(), csr.offsets.end() - 1);
  for (size_t i = 0; i < interactions.size(); ++i) {
    csr.values[next[interactions.user[i]]++] = static_cast<int64_t>(i);
  }
  return csr;
}

UserCsr items_by_user(const Interactions& interactions, int64_t num_users) {
  UserCsr csr = interactions_by_user(interactions, num_users);
  for (int64_t& value : csr.values) value = interactions.item[value];
  // Sort and deduplicate each user's range in place, compacting the ranges to the left.
  int64_t write = 0;
  for (int64_t u = 0; u < num_users; ++u) {
    int64_t* first = csr.values.data() + csr.offsets[u];
    int64_t* last = csr.values.data() + csr.offsets[u + 1];
    std::sort(first, last);
    last = std::unique(first, last);
    csr.offsets[u] = write;
    write = std::copy(first, last, csr.values.data() + write) - csr.values.data();
  }
  csr.offsets[num_users] = write;
  csr.values.resize(write);
  return csr;
}

}  // namespace graft::io
