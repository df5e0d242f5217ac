// The SQLite session: one file (docs/history.md).
#include <sqlite3.h>

#include "sql_session.hpp"
#include "sqlite_db.hpp"

namespace dli::sql {

namespace {

SqlError converted(const sqlite::SqliteError& error) {
  ErrorKind kind = ErrorKind::kOther;
  if (error.code() == SQLITE_FULL) kind = ErrorKind::kNoSpace;
  if (error.code() == SQLITE_READONLY || error.code() == SQLITE_PERM || error.code() == SQLITE_CANTOPEN) {
    kind = ErrorKind::kDenied;
  }
  return SqlError(error.what(), kind, error.code() == SQLITE_BUSY || error.code() == SQLITE_LOCKED);
}

void bind_all(sqlite::Statement& statement, const std::vector<Value>& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Value& value = parameters[i];
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      statement.bind(index, *number);
    } else if (const auto* real = std::get_if<double>(&value)) {
      statement.bind(index, *real);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      statement.bind(index, *text);
    } else {
      statement.bind(index, std::optional<double>());
    }
  }
}

class SqliteSession : public Session {
 public:
  explicit SqliteSession(const std::string& path) try : path_(path), db_(path) {
  } catch (const sqlite::SqliteError& error) {
    throw converted(error);
  }

  void execute(const std::string& sql) override {
    try {
      db_.execute(sql);
    } catch (const sqlite::SqliteError& error) {
      throw converted(error);
    }
  }

  std::vector<Row> query(const std::string& sql, const std::vector<Value>& parameters) override {
    try {
      auto statement = db_.prepare(sql);
      bind_all(statement, parameters);
      std::vector<Row> rows;
      while (statement.step()) rows.push_back(statement.row());
      return rows;
    } catch (const sqlite::SqliteError& error) {
      throw converted(error);
    }
  }

  void run_many(const std::string& sql, const std::vector<std::vector<Value>>& rows) override {
    try {
      auto statement = db_.prepare(sql);
      for (const auto& row : rows) {
        bind_all(statement, row);
        statement.run();
        statement.reset();
      }
    } catch (const sqlite::SqliteError& error) {
      throw converted(error);
    }
  }

  // IMMEDIATE: take the write lock now, so that a concurrent writer waits here rather than fail at COMMIT.
  void begin() override { execute("BEGIN IMMEDIATE"); }
  void commit() override { execute("COMMIT"); }
  void lock_schema() override {}
  void rollback() noexcept override {
    try {
      db_.execute("ROLLBACK");
    } catch (const sqlite::SqliteError&) {
      // Nothing to roll back (SQLite already did, e.g. after SQLITE_FULL): the file is as before the BEGIN.
    }
  }
  std::string describe() const override { return path_; }

 private:
  std::string path_;
  sqlite::Connection db_;
};

}  // namespace

std::unique_ptr<Session> open_sqlite(const std::string& path) { return std::make_unique<SqliteSession>(path); }

}  // namespace dli::sql
