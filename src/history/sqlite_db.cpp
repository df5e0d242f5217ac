#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace dli::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int code, const std::string& doing) {
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  throw SqliteError(doing + ": " + detail, code & 0xff);
}

void check(sqlite3* db, int code, const std::string& doing) {
  if (code != SQLITE_OK) fail(db, code, doing);
}

}  // namespace

Connection::Connection(const std::string& path) {
  const int code = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (code != SQLITE_OK) {
    const std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("cannot open " + path + ": " + detail, code & 0xff);
  }
  // Another integrator recording at the same time waits its turn rather than fail at once.
  sqlite3_busy_timeout(db_, 30000);
  execute("PRAGMA foreign_keys = ON");
}

Connection::~Connection() { sqlite3_close(db_); }

void Connection::execute(const std::string& sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string detail = message != nullptr ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    throw SqliteError(detail, code & 0xff);
  }
}

Statement Connection::prepare(const std::string& sql) { return Statement(db_, sql); }

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db) {
  check(db_, sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement_, nullptr), "cannot prepare");
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::bind(int index, const std::string& text) {
  check(db_, sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
        "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
  check(db_, sqlite3_bind_int64(statement_, index, number), "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, double number) {
  check(db_, sqlite3_bind_double(statement_, index, number), "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<double>& number) {
  if (number) return bind(index, *number);
  check(db_, sqlite3_bind_null(statement_, index), "cannot bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& number) {
  if (number) return bind(index, *number);
  check(db_, sqlite3_bind_null(statement_, index), "cannot bind");
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  fail(db_, code, "cannot execute");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(statement_, column);
  return bytes == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(bytes));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

sql::Row Statement::row() const {
  sql::Row values;
  const int columns = sqlite3_column_count(statement_);
  for (int c = 0; c < columns; ++c) {
    switch (sqlite3_column_type(statement_, c)) {
      case SQLITE_NULL: values.emplace_back(std::monostate{}); break;
      case SQLITE_INTEGER: values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(statement_, c))); break;
      case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(statement_, c)); break;
      default: values.emplace_back(text(c));
    }
  }
  return values;
}

std::optional<double> Statement::optional_number(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(statement_, column);
}

}  // namespace dli::sqlite
