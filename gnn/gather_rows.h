// gather_rows(table, index) = table.index_select(0, index), with a backward made for the
// training hot path: the gradient rows are scattered into a zero table in one plain loop.
// LibTorch 1.13's own backward (index_add_) launches a TensorIterator per gathered row, which
// made the embedding lookups of a LightGCN batch cost a fifth of the batch.
//
// Shapes: table [N, d] (float32 or float64), index [B] int64 → [B, d]. Other devices and
// layouts use index_select's own backward. First-order only (the backward is not differentiable).
#pragma once

#include <torch/torch.h>

namespace graft::gnn {

torch::Tensor gather_rows(const torch::Tensor& table, const torch::Tensor& index);

// Σ‖users_table[u]‖² + ‖items_table[i⁺]‖² + ‖items_table[i⁻]‖² over a batch: the layer-0 squares
// of a recommender's batch_l2 (one table for both when users and items share it, items offset).
torch::Tensor squared_norms(const torch::Tensor& users_table, const torch::Tensor& items_table,
                            const torch::Tensor& users, const torch::Tensor& pos_items, const torch::Tensor& neg_items);

}  // namespace graft::gnn
