#pragma once
// What the history needs of a SQL database, whichever it is: statements with `?` parameters, typed rows, and a
// write transaction. SQLite and PostgreSQL implement it; the history's logic (sql_history.cpp) is written once.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "dli/util/result.hpp"

namespace dli::sql {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;  // monostate: NULL
using Row = std::vector<Value>;

// A failure of the database, with what a caller tells apart.
class SqlError : public std::runtime_error {
 public:
  SqlError(const std::string& message, ErrorKind kind, bool transient)
      : std::runtime_error(message), kind_(kind), transient_(transient) {}
  ErrorKind kind() const { return kind_; }
  bool transient() const { return transient_; }

 private:
  ErrorKind kind_;
  bool transient_;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual void execute(const std::string& sql) = 0;  // statements without parameters or rows
  // One statement with `?` parameters; its rows (none for a write).
  virtual std::vector<Row> query(const std::string& sql, const std::vector<Value>& parameters) = 0;
  // The same statement for each parameter row (bulk inserts): prepared once where the database allows.
  virtual void run_many(const std::string& sql, const std::vector<std::vector<Value>>& rows) = 0;
  virtual void begin() = 0;  // a write transaction; a concurrent writer waits for it
  // Within a transaction: no other session migrates the schema until it ends (SQLite's write transaction is
  // exclusive already).
  virtual void lock_schema() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  virtual std::string describe() const = 0;  // the file or server, never a password
};

// The transaction of one scope: rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Session& session) : session_(session) { session_.begin(); }
  ~Transaction() {
    if (!done_) session_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    session_.commit();
    done_ = true;
  }

 private:
  Session& session_;
  bool done_ = false;
};

std::unique_ptr<Session> open_sqlite(const std::string& path);        // throws SqlError
std::unique_ptr<Session> open_postgres(const std::string& conninfo);  // throws SqlError

// `?` placeholders numbered `$1`, `$2`, ... as PostgreSQL wants them (none occurs inside our SQL's literals).
std::string numbered_placeholders(const std::string& sql);

}  // namespace dli::sql
