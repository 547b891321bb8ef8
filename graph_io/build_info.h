#pragma once

namespace graft::io {

// The short git commit the binary was built from ("unknown" outside a checkout). Written into
// every run's provenance record.
const char* git_commit();

}  // namespace graft::io
