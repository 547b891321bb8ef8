// Behaviour names as input layouts spell them (folder names and file stems such as "view",
// "collect", "purchase") and graft's behaviour codes (pv, cart, fav, buy; dataset.h) they stand
// for. Defaults: view, pv, click → pv; cart → cart; collect, fav → fav; buy, purchase → buy.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph_io/dataset.h"

namespace graft::io {

// "pv, cart, fav, buy", for messages.
std::string behavior_codes();

// The behaviour whose code is `code`; UsageError naming `flag`, the value and the valid codes.
Behavior parse_behavior_code(const std::string& code, const std::string& flag);

class BehaviorNames {
 public:
  // The defaults with `map` (name, code; from --behaviour-map) added or overriding. UsageError
  // for an empty name, an unknown code, or a name mapped twice.
  explicit BehaviorNames(const std::vector<std::pair<std::string, std::string>>& map);

  // The code `name` stands for. UsageError naming `what` (e.g. "folder 'clicks'") and the valid
  // names when it is unknown.
  Behavior code_of(const std::string& name, const std::string& what) const;

 private:
  std::map<std::string, Behavior> codes_;
};

}  // namespace graft::io
