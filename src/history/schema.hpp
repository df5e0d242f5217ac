#pragma once
// The history's schema as numbered migrations (docs/history.md, "Schema"): a database at version N gets
// migrations N+1.. in one transaction each. SQL both SQLite and PostgreSQL read.
#include <string>
#include <vector>

namespace dli::history_schema {

struct Migration {
  int version;
  std::vector<std::string> statements;
};

const std::vector<Migration>& migrations();
int latest_version();

}  // namespace dli::history_schema
