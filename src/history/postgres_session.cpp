// The PostgreSQL session (libpq): a lab's shared history server (docs/history.md). The password is never in the
// location: libpq reads it from the user's ~/.pgpass (or the file PGPASSFILE names).
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "sql_session.hpp"

namespace dli::sql {

namespace {

// Type OIDs of pg_type (stable across PostgreSQL versions; the server headers that name them are not in libpq-dev).
constexpr Oid kInt2 = 21, kInt4 = 23, kInt8 = 20, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

// SQLSTATE classes a caller tells apart (PostgreSQL's appendix A).
SqlError error_of(const PGresult* result, const std::string& message) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string code = state != nullptr ? state : "";
  ErrorKind kind = ErrorKind::kOther;
  if (code == "53100" || code == "53200") kind = ErrorKind::kNoSpace;  // disk_full, out_of_memory
  if (code == "42501") kind = ErrorKind::kDenied;                      // insufficient_privilege
  if (code.rfind("28", 0) == 0) kind = ErrorKind::kAuthFailed;         // invalid authorization
  const bool transient = code == "40001" || code == "40P01" || code.rfind("08", 0) == 0 || code == "57P03";
  if (code.rfind("08", 0) == 0) kind = ErrorKind::kUnreachable;  // connection exception
  return SqlError(message, kind, transient);
}

struct ResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

class PostgresSession : public Session {
 public:
  explicit PostgresSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (conn_ == nullptr) throw SqlError("cannot connect to PostgreSQL: out of memory", ErrorKind::kOther, false);
    describe_ = fmt::format("postgresql://{}@{}:{}/{}", PQuser(conn_), PQhost(conn_), PQport(conn_), PQdb(conn_));
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      const bool auth = message.find("password") != std::string::npos ||
                        message.find("authentication") != std::string::npos;
      throw SqlError("cannot connect to " + describe_ + ": " + trimmed(message),
                     auth ? ErrorKind::kAuthFailed : ErrorKind::kUnreachable, !auth);
    }
    execute("SET client_min_messages = warning");  // "relation already exists, skipping" is not for people
  }
  ~PostgresSession() override { PQfinish(conn_); }

  void execute(const std::string& sql) override { check(ResultPtr(PQexec(conn_, sql.c_str())), sql); }

  std::vector<Row> query(const std::string& sql, const std::vector<Value>& parameters) override {
    const Texts texts(parameters);
    ResultPtr result(PQexecParams(conn_, numbered_placeholders(sql).c_str(), static_cast<int>(parameters.size()),
                                  nullptr, texts.pointers.data(), nullptr, nullptr, 0));
    check(result, sql);
    return rows_of(result.get());
  }

  void run_many(const std::string& sql, const std::vector<std::vector<Value>>& rows) override {
    if (rows.empty()) return;
    const std::string name = "dli_many";
    check(ResultPtr(PQprepare(conn_, name.c_str(), numbered_placeholders(sql).c_str(),
                              static_cast<int>(rows.front().size()), nullptr)),
          sql);
    for (const auto& row : rows) {
      const Texts texts(row);
      check(ResultPtr(PQexecPrepared(conn_, name.c_str(), static_cast<int>(row.size()), texts.pointers.data(),
                                     nullptr, nullptr, 0)),
            sql);
    }
    check(ResultPtr(PQexec(conn_, ("DEALLOCATE " + name).c_str())), "DEALLOCATE");
  }

  void begin() override { execute("BEGIN"); }
  void commit() override { execute("COMMIT"); }
  void lock_schema() override { execute("LOCK TABLE dli_schema IN EXCLUSIVE MODE"); }
  void rollback() noexcept override { PQclear(PQexec(conn_, "ROLLBACK")); }
  std::string describe() const override { return describe_; }

 private:
  // Parameters in libpq's text format (NULL as a null pointer); numbers written so that they read back exactly.
  struct Texts {
    explicit Texts(const std::vector<Value>& values) {
      strings.reserve(values.size());
      for (const auto& value : values) {
        if (const auto* number = std::get_if<std::int64_t>(&value)) {
          strings.push_back(std::to_string(*number));
        } else if (const auto* real = std::get_if<double>(&value)) {
          strings.push_back(fmt::format("{}", *real));
        } else if (const auto* text = std::get_if<std::string>(&value)) {
          strings.push_back(*text);
        } else {
          strings.emplace_back();
        }
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        pointers.push_back(std::holds_alternative<std::monostate>(values[i]) ? nullptr : strings[i].c_str());
      }
    }
    std::vector<std::string> strings;
    std::vector<const char*> pointers;
  };

  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  void check(const ResultPtr& result, const std::string& sql) const {
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    const std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_);
    const std::string statement = sql.substr(0, sql.find(' ', 40));
    throw error_of(result.get(), trimmed(message) + " (in: " + statement + ")");
  }

  static std::vector<Row> rows_of(const PGresult* result) {
    std::vector<Row> rows;
    const int count = PQntuples(result), columns = PQnfields(result);
    for (int r = 0; r < count; ++r) {
      Row row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back(std::monostate{});
          continue;
        }
        const char* text = PQgetvalue(result, r, c);
        const Oid type = PQftype(result, c);
        if (type == kInt2 || type == kInt4 || type == kInt8) {
          row.emplace_back(static_cast<std::int64_t>(std::strtoll(text, nullptr, 10)));
        } else if (type == kFloat4 || type == kFloat8 || type == kNumeric) {
          row.emplace_back(std::strtod(text, nullptr));
        } else {
          row.emplace_back(std::string(text));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  PGconn* conn_;
  std::string describe_;
};

}  // namespace

std::unique_ptr<Session> open_postgres(const std::string& conninfo) {
  return std::make_unique<PostgresSession>(conninfo);
}

std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  int next = 1;
  for (const char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace dli::sql
