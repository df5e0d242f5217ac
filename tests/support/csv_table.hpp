#pragma once
// Test support: reads an RFC 4180 CSV (as results.csv is written) into rows addressable by column name.
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace dli::testing {

class CsvTable {
 public:
  explicit CsvTable(const std::string& text) {
    std::vector<std::vector<std::string>> records = parse(text);
    if (records.empty()) throw std::runtime_error("empty CSV");
    header_ = records.front();
    rows_.assign(records.begin() + 1, records.end());
  }
  std::size_t size() const { return rows_.size(); }
  const std::vector<std::string>& header() const { return header_; }
  std::string at(std::size_t row, const std::string& column) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (header_[i] == column) return rows_.at(row).at(i);
    }
    throw std::runtime_error("no column " + column);
  }

 private:
  static std::vector<std::vector<std::string>> parse(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        record.push_back(field);
        field.clear();
        any = true;
      } else if (c == '\n') {
        record.push_back(field);
        records.push_back(record);
        record.clear();
        field.clear();
        any = false;
      } else if (c != '\r') {
        field += c;
        any = true;
      }
    }
    if (any) {
      record.push_back(field);
      records.push_back(record);
    }
    return records;
  }

  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace dli::testing
