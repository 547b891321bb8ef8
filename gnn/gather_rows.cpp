#include "gnn/gather_rows.h"

#include <ATen/Dispatch.h>

namespace graft::gnn {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

class GatherRows : public torch::autograd::Function<GatherRows> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& table, const torch::Tensor& index) {
    ctx->save_for_backward({index});
    ctx->saved_data["rows"] = table.size(0);
    return table.index_select(0, index);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const torch::Tensor index = ctx->get_saved_variables()[0].contiguous();
    const torch::Tensor grad = grad_outputs[0].contiguous();
    const int64_t d = grad.size(1);
    torch::Tensor table_grad = torch::zeros({ctx->saved_data["rows"].toInt(), d}, grad.options());
    AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "gather_rows_backward", [&] {
      const int64_t* idx = index.data_ptr<int64_t>();
      const scalar_t* g = grad.data_ptr<scalar_t>();
      scalar_t* out = table_grad.data_ptr<scalar_t>();
      // Serial in batch order: repeated rows always sum in the same order.
      for (int64_t b = 0; b < index.numel(); ++b) {
        scalar_t* __restrict row = out + idx[b] * d;
        const scalar_t* __restrict src = g + b * d;
        for (int64_t j = 0; j < d; ++j) row[j] += src[j];
      }
    });
    return {table_grad, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor gather_rows(const torch::Tensor& table, const torch::Tensor& index) {
  const bool fast = table.device().is_cpu() && table.layout() == torch::kStrided && table.dim() == 2 &&
                    (table.scalar_type() == torch::kFloat || table.scalar_type() == torch::kDouble) &&
                    index.dim() == 1 && index.scalar_type() == torch::kInt64;
  return fast ? GatherRows::apply(table, index) : table.index_select(0, index);
}

torch::Tensor squared_norms(const torch::Tensor& users_table, const torch::Tensor& items_table,
                            const torch::Tensor& users, const torch::Tensor& pos_items, const torch::Tensor& neg_items) {
  return gather_rows(users_table, users).pow(2).sum() + gather_rows(items_table, pos_items).pow(2).sum() +
         gather_rows(items_table, neg_items).pow(2).sum();
}

}  // namespace graft::gnn
