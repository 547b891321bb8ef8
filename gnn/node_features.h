// Node features as tensors the encoder's input reads: the feature blocks of graph_io
// (io::FeatureBlock: dense, sparse, scalar) converted once per task, with the statistics that
// scale them pooled over every domain, so the source's and the target's items live in ONE feature
// space (the content bridge: a projection learnt on source items applies to target items as is).
//
//   dense   [n, F] float: each column standardised (mean 0, std 1 over the rows that have a value);
//           missing rows are 0, the mean
//   sparse  [n, W] sparse COO float: each row scaled to unit L2 norm (a bag of tokens, hashed
//           n-grams, TF-IDF weights); missing rows are empty
//   scalar  [n, 2] float: column 0 the standardised sign(x)·log(1 + |x|) (prices and sales ranks are
//           heavy-tailed), column 1 the missing flag (then column 0 is 0)
//
// Features are allowed for every item, new ones included (PROTOCOLS.md, new items): the pooled
// statistics read no interaction.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::gnn {

struct FeatureTensor {
  std::string name;
  io::FeatureKind kind = io::FeatureKind::kDense;
  int64_t width = 0;  // the input width of its projection: F, W, or 2 for scalars
  torch::Tensor x;
};

struct NodeFeatures {
  int64_t rows = 0;
  std::vector<FeatureTensor> blocks;  // in the order asked for
  bool empty() const { return blocks.empty(); }
};

// One NodeFeatures per domain from the same-named blocks of each (domains[d][b] is block b of
// domain d). UsageError when a block's kind, width or vocabulary differs between domains.
std::vector<NodeFeatures> shared_feature_space(const std::vector<std::vector<const io::FeatureBlock*>>& domains);

// The rows of several NodeFeatures of one schema stacked in order (the union graph's items).
NodeFeatures concat_rows(const std::vector<const NodeFeatures*>& parts);

}  // namespace graft::gnn
