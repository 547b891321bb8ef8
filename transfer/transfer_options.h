// Everything one transfer run needs, as plain typed options: experiments/ fills them from YAML
// or `--set key=value`, tests fill them directly. Nothing here reads configuration.
#pragma once

#include "gnn/encoder_options.h"
#include "gnn/item_similarity.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace graft::gnn {
class Communicator;
}

namespace graft::transfer {

// One training phase (source pretraining, or adaptation on the target).
struct PhaseOptions {
  int64_t epochs = 20;           // ≥ 0
  int64_t batch_size = 2048;     // ≥ 1
  double lr = 1e-3;              // > 0
  double weight_decay = 1e-4;    // ≥ 0: L2 on the batch's ID embeddings (LightGCN objective)
  int64_t eval_every = 5;        // validate after every eval_every-th epoch (adapt phase), ≥ 1
  int64_t patience = 0;          // evaluations without improvement before stopping; 0: never
  // Pretraining only: > 0 trains this many optimiser steps (rounded up to whole epochs) instead
  // of `epochs`, so sources of different sizes pretrain on the same budget.
  int64_t steps = 0;
};

// Fine-tuning from the source-pretrained encoder.
// The target's own parameters (target item table and item bias) train in every mode; the mode
// says what else trains.
struct FinetuneOptions {
  // "full" | "frozen_encoder" | "last_k" | "discriminative" | "l2sp" | "adapter" | "lora"
  std::string mode = "full";
  int64_t last_k = 1;            // last_k: layers trained (with the head and target items), ≥ 1
  double lr_decay = 0.3;         // discriminative: lr of layer k = lr · decay^(K−k), embeddings decay^(K+1)
  double l2sp_weight = 1e-3;     // l2sp: weight of ‖w − w_source‖² over the encoder and user table
  int64_t adapter_bottleneck = 16;  // adapter: width of each residual bottleneck MLP, ≥ 1
  int64_t lora_rank = 8;         // lora: rank r of each low-rank update A·B, ≥ 1
};

// The typed graph every method trains on (gnn/typed_graph.h): user, item and category nodes.
struct GraphSpec {
  bool categories = true;        // item–category edges; categories with the same name are one node across domains
  bool behaviours = false;       // one user–item relation per behaviour type (view, cart, fav, buy)
};

// Node features as the encoder's layer-0 input (gnn/feature_input.h). The item blocks of the
// source and the target must be one feature space (same names, kinds, widths, vocabularies):
// that is the content bridge, which carries a projection learnt on source items to target items,
// new ones included.
struct FeatureOptions {
  std::string items = "id";      // "id" | "features" | "both"
  std::string users = "id";      // the same, from the target's user blocks
  std::string combine = "sum";   // both: "sum" | "concat" (then a learnt projection, starting as the sum)
  double id_dropout = 0.0;       // both: share of ID embeddings dropped per training step (DropoutNet), in [0, 1]
  std::string blocks;            // comma-separated block names; empty: every item block both domains have
};

// Aligning source-graph and target-graph user representations during adaptation.
struct AlignOptions {
  double weight = 1.0;           // λ_max of the adversary / weight of the MMD or CORAL loss, ≥ 0
  double gamma = 10.0;           // λ_p = weight·(2/(1+exp(−γp))−1), p = training progress in [0, 1]
  int64_t hidden = 64;           // discriminator hidden width, ≥ 1
  int64_t batch_users = 512;     // users drawn from each graph per alignment step, ≥ 2
  std::vector<double> bandwidths = {0.5, 1.0, 2.0, 4.0, 8.0};  // MMD Gaussian bandwidths (× median distance)
  double source_weight = 1.0;    // weight of the source recommendation loss kept during adaptation
  // What is aligned: "users" (source-graph vs target-graph users), "items" (the source-graph and
  // target-graph representations of linked items, the cross-market bridge) or "auto" (users when
  // the domains share users, else items).
  std::string on = "auto";
};

// EMCDR-style mapping from source to target user representations.
struct MappingOptions {
  std::string kind = "mlp";      // "linear" | "mlp"
  int64_t hidden = 128;
  int64_t epochs = 200;
  double lr = 1e-3;
};

// First-order meta-learning (Reptile) of the target initialisation over user tasks.
struct MetaOptions {
  int64_t meta_epochs = 10;
  int64_t tasks_per_step = 32;   // users per meta step
  int64_t inner_steps = 5;
  double inner_lr = 1e-2;
  double meta_lr = 0.5;          // Reptile step size toward the adapted weights
};

// Re-weighting source interactions by estimated relevance to the target.
struct InstanceWeightOptions {
  int64_t estimator_epochs = 50; // domain classifier on user representations (density ratio)
  double clip = 10.0;            // weights clipped to [1/clip, clip], then normalised to mean 1
};

// The variational information bottleneck on user representations (method "vib", after CDRIB).
struct BottleneckOptions {
  double beta = 1e-3;            // weight of KL(N(h, σ²) ‖ N(0, I)) per user row, ≥ 0
  double init_sigma = 0.1;       // σ of every dimension at the start (log σ = W h + b, W = 0), > 0
  double contrastive = 0.1;      // weight of InfoNCE between a shared user's two graph representations, ≥ 0
  double temperature = 0.2;      // InfoNCE temperature on cosine similarities, > 0
};

// The faithful port of CDRIB (method "cdrib"; transfer/CDRIB_REFERENCE.md). The defaults are the
// reference implementation's (cjx96/CDRIB, train_rec.py), so `--method cdrib` alone runs it.
struct CdribOptions {
  int64_t dim = 128;             // feature_dim = hidden_dim: width of every layer's output
  int64_t layers = 3;            // GNN: layers−1 DGCN layers and one variational layer, ≥ 1
  double dropout = 0.3;          // on every layer's user and item input, in [0, 1)
  double leaky = 0.1;            // LeakyReLU slope after every graph convolution
  double beta = 1.5;             // weight of the user KL term (the item KL term has weight 1)
  bool bottleneck = true;        // false (ablation): the last layer is deterministic, z = μ, no KL
  double critic_weight = 1.0;    // weight of the cross-domain critic (0: ablation without it)
  std::string critic = "hinge";  // "hinge" (margin on sigmoids) | "bce"
  double margin = 0.3;           // hinge margin
  int64_t critic_users = 64;     // shared users per critic batch, ≥ 1
  int64_t epochs = 100;          // ≥ 0
  int64_t batch_size = 1024;     // mixed source and target interactions per step, ≥ 1
  double lr = 1e-3;              // Adam
  double weight_decay = 5e-4;    // coupled L2 on every parameter (torch.optim.Adam)
  double lr_decay = 0.9;         // lr ×= lr_decay when the source validation MRR does not improve …
  int64_t decay_after = 10;      // … at an evaluation after the first decay_after ones
  int64_t eval_from = 10;        // first epoch evaluated, ≥ 1
  int64_t eval_every = 5;        // then every eval_every-th epoch, ≥ 1
};

// Cold-start users read through the shared users their source items lead to (method
// "shared_neighbours").
struct NeighbourhoodOptions {
  double mix = 0.5;              // weight of the neighbourhood representation vs the user's own source-graph one, in [0, 1]
};

// Several source markets at once (method multi_source): a mixture of one expert per source
// market (pretrained there, fine-tuned on the target) and one trained on the target alone.
struct MultiSourceOptions {
  // "validation": each expert's weight is its share of `rounds` greedy picks on the target's
  // validation cases (ensemble selection with replacement). "equal": every expert 1/(n+1).
  std::string weights = "validation";
  int64_t rounds = 20;             // ≥ 1: greedy picks; weights are multiples of 1/rounds
  // "sources": one expert per source market. "seeds": the control — as many experts, all trained
  // on the target alone with seeds derived from the run's, to tell transfer from ensembling.
  std::string experts = "sources";
  // Target-alone experts with further derived seeds, beside the ones above: with "sources" the
  // selection then measures what the sources add on top of ensembling; the "seeds" control with
  // the same number matches it expert for expert.
  int64_t seed_experts = 0;
};

struct TransferOptions {
  std::string method = "finetune";  // one of method_names()
  // Domain names. `source` may list several domains, comma-separated ("ca,uk,fr"): they train as
  // one source domain whose items with the same external id are one item (multi-source).
  std::string source, target;
  std::string split;                // a split of the dataset with parts for both domains

  gnn::EncoderOptions encoder;
  GraphSpec graph;
  FeatureOptions features;
  double init_std = 0.1;            // ID embeddings ~ N(0, init_std²)
  std::string loss = "bpr";         // "bpr" | "bce"
  PhaseOptions pretrain;            // on the source (methods that pretrain)
  PhaseOptions adapt;               // on the target (or the union graph for joint)
  // Weight of the bridge term of adaptation: the target interactions of users active in both
  // domains are also scored from their source-graph representations, which is what a cold-start
  // user will be scored from; 0 turns it off (plain fine-tuning on the target graph).
  double bridge_weight = 1.0;
  // Items with the same external id in source and target (shared items: one product sold in two
  // markets). On: the union graph (joint training) merges each linked pair into one node, and
  // fine-tuning starts a linked target item's embedding and bias from its source item's. Off:
  // they stay two unrelated items.
  bool link_items = true;

  FinetuneOptions finetune;
  AlignOptions align;
  MappingOptions mapping;
  MetaOptions meta;
  InstanceWeightOptions instance_weighting;
  BottleneckOptions bottleneck;
  CdribOptions cdrib;
  NeighbourhoodOptions neighbourhood;
  MultiSourceOptions multi_source;
  // itemknn, ease, gfcf across domains (methods_item_similarity.cpp); kind is the method's name.
  gnn::ItemSimilarityOptions similarity;

  // Evaluation on the target: the split's protocol ("sampled" when it stores negatives, else
  // "full"), selection on the validation cases with `selection_metric`.
  std::string protocol = "auto";    // "auto" | "sampled" | "full"
  std::vector<int64_t> ks;          // empty: the protocol's defaults
  std::string selection_metric = "auto";  // "auto": mrr (sampled) or recall@20 (full)
  bool compare_to_target_only = true;     // also run target_only for the negative-transfer verdict
  // Full protocol: also rank the target's test items among every source and target item (a new
  // category's items against the whole shop), reported as the "all_items" metrics.
  bool rank_all_items = false;

  uint64_t seed = 0;
  int threads = 0;                  // intra-op threads; 0: all cores
  bool verbose = false;             // a progress line per epoch on stderr
  bool keep_representations = false;  // report sampled user representations before/after (for plots)
  // Data parallel (gnn/communicator.h): the source pretraining (gnn::train) takes a shard of
  // every batch, evaluation a shard of the users; the other phases run whole on every rank,
  // alike by their seeds. null: one process.
  std::shared_ptr<gnn::Communicator> communicator;
  std::string device = "cpu";       // "cpu" | "cuda" | "cuda:N" (gnn/device.h)
};

// UsageError (OptionError, naming the key) for the first value outside the rules of
// transfer/option_rules.h, or options that do not fit together (source == target, …).
void validate(const TransferOptions& options);

}  // namespace graft::transfer
