// expect_equal(a, b): every array, name, feature block and provenance field of two datasets is
// identical.
// Shared by the store and importer round-trip tests.
#pragma once

#include <gtest/gtest.h>

#include "graph_io/dataset.h"

namespace graft::io {

inline void expect_equal(const std::vector<FeatureBlock>& a, const std::vector<FeatureBlock>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    SCOPED_TRACE(a[k].name);
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_EQ(a[k].kind, b[k].kind);
    EXPECT_EQ(a[k].rows, b[k].rows);
    EXPECT_EQ(a[k].width, b[k].width);
    EXPECT_EQ(a[k].values, b[k].values);
    EXPECT_EQ(a[k].offsets, b[k].offsets);
    EXPECT_EQ(a[k].indices, b[k].indices);
    EXPECT_EQ(a[k].vocabulary, b[k].vocabulary);
    EXPECT_EQ(a[k].missing, b[k].missing);
  }
}

inline void expect_equal(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.user_ids, b.user_ids);
  ASSERT_EQ(a.domains.size(), b.domains.size());
  for (size_t d = 0; d < a.domains.size(); ++d) {
    const Domain& x = a.domains[d];
    const Domain& y = b.domains[d];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.item_ids, y.item_ids);
    EXPECT_EQ(x.category_names, y.category_names);
    EXPECT_EQ(x.item_category_offsets, y.item_category_offsets);
    EXPECT_EQ(x.item_category, y.item_category);
    EXPECT_EQ(x.interactions.user, y.interactions.user);
    EXPECT_EQ(x.interactions.item, y.interactions.item);
    EXPECT_EQ(x.interactions.time, y.interactions.time);
    EXPECT_EQ(x.interactions.behavior, y.interactions.behavior);
    EXPECT_EQ(x.interactions.weight, y.interactions.weight);
    expect_equal(x.item_features, y.item_features);
    expect_equal(x.user_features, y.user_features);
  }
  ASSERT_EQ(a.splits.size(), b.splits.size());
  for (size_t s = 0; s < a.splits.size(); ++s) {
    EXPECT_EQ(a.splits[s].name, b.splits[s].name);
    EXPECT_EQ(a.splits[s].kind, b.splits[s].kind);
    EXPECT_EQ(a.splits[s].params, b.splits[s].params);
    ASSERT_EQ(a.splits[s].parts.size(), b.splits[s].parts.size());
    for (size_t p = 0; p < a.splits[s].parts.size(); ++p) {
      const DomainSplit& x = a.splits[s].parts[p];
      const DomainSplit& y = b.splits[s].parts[p];
      EXPECT_EQ(x.domain, y.domain);
      EXPECT_EQ(x.train, y.train);
      EXPECT_EQ(x.valid, y.valid);
      EXPECT_EQ(x.test, y.test);
      EXPECT_EQ(x.cold_start_users, y.cold_start_users);
      EXPECT_EQ(x.negatives_per_case, y.negatives_per_case);
      EXPECT_EQ(x.valid_negatives, y.valid_negatives);
      EXPECT_EQ(x.test_negatives, y.test_negatives);
    }
  }
  EXPECT_EQ(a.provenance.command, b.provenance.command);
  EXPECT_EQ(a.provenance.graft_version, b.provenance.graft_version);
  ASSERT_EQ(a.provenance.sources.size(), b.provenance.sources.size());
  for (size_t i = 0; i < a.provenance.sources.size(); ++i) {
    EXPECT_EQ(a.provenance.sources[i].path, b.provenance.sources[i].path);
    EXPECT_EQ(a.provenance.sources[i].size, b.provenance.sources[i].size);
    EXPECT_EQ(a.provenance.sources[i].crc32, b.provenance.sources[i].crc32);
  }
}

}  // namespace graft::io
