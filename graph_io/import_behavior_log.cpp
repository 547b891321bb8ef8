// behavior-log: e-commerce behaviour logs in the Taobao UserBehavior layout,
// "user,item,category,behavior,timestamp" with behaviours pv/cart/fav/buy kept as typed edges
// (a view and a purchase of one item are two interactions). It is the csv importer with that
// column mapping fixed; --delimiter and --header apply as for csv.
#include "graph_io/errors.h"
#include "graph_io/import_formats.h"

namespace graft::io {

Dataset import_behavior_log(const ImportOptions& options, ImportReport& report) {
  if (!options.columns.empty()) {
    throw UsageError("behavior-log has the fixed columns user,item,category,behavior,timestamp; "
                     "use --format csv with --column for other layouts");
  }
  ImportOptions fixed = options;
  fixed.columns = {{"user", "0"}, {"item", "1"}, {"category", "2"}, {"behavior", "3"}, {"time", "4"}};
  return import_csv(fixed, report);
}

}  // namespace graft::io
