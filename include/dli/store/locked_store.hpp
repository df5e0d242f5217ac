#pragma once
// One store connection shared by several threads of a process (the agent's test loop and its publisher): each
// operation holds a lock, so a thread waits while another one's operation runs. An agent then logs in once and
// holds at most one of the server's connection slots.
#include <memory>
#include <mutex>
#include <string>

#include "dli/store/store.hpp"

namespace dli {

class LockedStore final : public Store {
 public:
  struct Shared {
    std::mutex mutex;
    Store* store;  // outlives every view
  };
  explicit LockedStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  // The lock that views of `store` share; make any number of views from it, for any threads.
  static std::shared_ptr<Shared> share(Store& store);

  Result<std::string> get(const std::string& key) override;
  Status put(const std::string& key, std::string_view data) override;
  Status put_file(const std::string& key, const std::string& local_path) override;
  Status put_file_in_place(const std::string& key, const std::string& local_path) override;
  Status get_file(const std::string& key, const std::string& local_path) override;
  Result<bool> exists(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& folder) override;
  Status remove(const std::string& key) override;
  Status remove_folder(const std::string& folder) override;
  Status make_folders(const std::vector<std::string>& folders) override;
  void disconnect() override;
  std::string describe() const override;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace dli
