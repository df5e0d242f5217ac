#pragma once
// Every row of every table of a history database, as text: what "nothing changed" is checked against.
#include <sqlite3.h>

#include <string>

namespace dli::testing {

inline std::string history_dump(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open " + path;
  }
  std::string text;
  for (const char* sql : {"SELECT * FROM dli_schema", "SELECT * FROM runs ORDER BY run_id",
                          "SELECT * FROM hosts ORDER BY run_id, host",
                          "SELECT * FROM results ORDER BY run_id, host, test_id"}) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
      text += std::string("cannot read: ") + sql + "\n";
      continue;
    }
    while (sqlite3_step(statement) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(statement); ++c) {
        const auto* value = sqlite3_column_text(statement, c);
        text += (value != nullptr ? reinterpret_cast<const char*>(value) : "NULL") + std::string("|");
      }
      text += "\n";
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return text;
}

}  // namespace dli::testing
