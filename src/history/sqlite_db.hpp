#pragma once
// A thin RAII layer over SQLite's C API: a connection and prepared statements. Errors throw SqliteError; the
// history backend turns them into Results at its edge.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "sql_session.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dli::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& message, int code) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }  // SQLite's primary result code (SQLITE_FULL, SQLITE_BUSY, ...)

 private:
  int code_;
};

class Statement;

class Connection {
 public:
  explicit Connection(const std::string& path);  // opens or creates
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  void execute(const std::string& sql);  // one or more statements without parameters or results
  Statement prepare(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters from 1, as SQLite numbers them.
  Statement& bind(int index, const std::string& text);
  Statement& bind(int index, std::int64_t number);
  Statement& bind(int index, int number) { return bind(index, static_cast<std::int64_t>(number)); }
  Statement& bind(int index, double number);
  Statement& bind(int index, const std::optional<double>& number);
  Statement& bind(int index, const std::optional<std::int64_t>& number);
  bool step();   // true while a row is available
  void run();    // step to the end (a statement without results)
  void reset();  // for the next bind and run
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  std::optional<double> optional_number(int column) const;
  sql::Row row() const;  // every column of the current row, typed as stored

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace dli::sqlite
