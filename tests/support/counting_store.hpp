#pragma once
// Test support: a Store that forwards to another and counts the operations (store traffic per poll, per test).
#include <atomic>
#include <memory>
#include <string>

#include "dli/store/store.hpp"

namespace dli::testing {

class CountingStore : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}
  Result<std::string> get(const std::string& key) override { return ++gets, ++operations, inner_.get(key); }
  Status put(const std::string& key, std::string_view data) override { return ++operations, inner_.put(key, data); }
  Status put_file(const std::string& key, const std::string& path) override {
    return ++operations, inner_.put_file(key, path);
  }
  Status get_file(const std::string& key, const std::string& path) override {
    return ++operations, inner_.get_file(key, path);
  }
  Result<bool> exists(const std::string& key) override { return ++operations, inner_.exists(key); }
  Result<std::vector<std::string>> list(const std::string& folder) override {
    return ++lists, ++operations, inner_.list(folder);
  }
  Status remove(const std::string& key) override { return ++operations, inner_.remove(key); }
  Status remove_folder(const std::string& folder) override { return ++operations, inner_.remove_folder(folder); }
  std::string describe() const override { return inner_.describe(); }

  std::atomic<long> operations{0}, gets{0}, lists{0};

 private:
  Store& inner_;
};

}  // namespace dli::testing
