// The factories of the registered transfer methods (method_registry.cpp lists them by name).
// A method is one file: a class over the adaptation loop (model_method.h) or a TransferMethod of
// its own, and a factory declared here.
#pragma once

#include "transfer/method.h"

#include <memory>
#include <string>

namespace graft::transfer {

std::unique_ptr<TransferMethod> make_target_only();
std::unique_ptr<TransferMethod> make_source_only();
std::unique_ptr<TransferMethod> make_joint();
// Fine-tuning in the task's finetune.mode, named `name` ("finetune" or the mode's method name).
std::unique_ptr<TransferMethod> make_finetune(const std::string& name);
// Fine-tuning with the alignment part `alignment` ("adversarial", "mmd", "coral").
std::unique_ptr<TransferMethod> make_aligned_finetune(const std::string& alignment);
std::unique_ptr<TransferMethod> make_mapping();
std::unique_ptr<TransferMethod> make_meta();
std::unique_ptr<TransferMethod> make_instance_weighting();
std::unique_ptr<TransferMethod> make_vib();
// The faithful port of CDRIB (methods_cdrib.cpp, cdrib_model.h).
std::unique_ptr<TransferMethod> make_cdrib();
std::unique_ptr<TransferMethod> make_shared_neighbours();
std::unique_ptr<TransferMethod> make_cooccurrence();
// itemknn, ease or gfcf over one item space of both domains (methods_item_similarity.cpp).
std::unique_ptr<TransferMethod> make_item_similarity(const std::string& kind);
std::unique_ptr<TransferMethod> make_popularity();
std::unique_ptr<TransferMethod> make_source_popularity();
std::unique_ptr<TransferMethod> make_forec();
std::unique_ptr<TransferMethod> make_multi_source();

}  // namespace graft::transfer
