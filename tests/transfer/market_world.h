// A synthetic cross-market world (tests/transfer): the "multi-market" preset scaled down — markets
// ca, uk, de and the small jp, one catalogue with most product ids shared, no customer in two
// markets — split leave-one-out in every market with 99 stored negatives per case, as "loo".
#pragma once

#include "graph_io/splits.h"
#include "graph_io/synthetic.h"
#include "transfer/transfer_options.h"

namespace graft::transfer::testing {

inline io::Dataset market_world(uint64_t seed = 5) {
  io::SyntheticOptions o = io::synthetic_preset("multi-market");
  o.users = 2400;
  o.items_per_domain = {600, 500, 450, 450};  // jp's items barely seen at home: 4 purchases a customer
  o.seed = seed;
  io::Dataset dataset = io::generate_synthetic(o);
  io::SplitOptions split;
  split.name = "loo";
  split.kind = "leave_one_out";
  split.negatives = 99;
  split.seed = 1;
  io::add_split(dataset, split);
  return dataset;
}

inline TransferOptions market_options(const std::string& method, const std::string& sources = "ca,uk,de") {
  TransferOptions o;
  o.method = method;
  o.source = sources;
  o.target = "jp";
  o.split = "loo";
  o.encoder.dim = 32;
  o.encoder.layers = 2;
  o.pretrain.epochs = 10;
  o.pretrain.batch_size = 1024;
  o.pretrain.lr = 5e-3;
  o.adapt.epochs = 10;
  o.adapt.batch_size = 1024;
  o.adapt.lr = 5e-3;
  o.adapt.eval_every = 5;
  o.compare_to_target_only = false;
  o.threads = 2;
  return o;
}

}  // namespace graft::transfer::testing
