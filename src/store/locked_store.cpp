#include "dli/store/locked_store.hpp"

namespace dli {

std::shared_ptr<LockedStore::Shared> LockedStore::share(Store& store) {
  auto shared = std::make_shared<Shared>();
  shared->store = &store;
  return shared;
}

Result<std::string> LockedStore::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->get(key);
}

Status LockedStore::put(const std::string& key, std::string_view data) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->put(key, data);
}

Status LockedStore::put_file(const std::string& key, const std::string& local_path) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->put_file(key, local_path);
}

Status LockedStore::put_file_in_place(const std::string& key, const std::string& local_path) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->put_file_in_place(key, local_path);
}

Status LockedStore::make_folders(const std::vector<std::string>& folders) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->make_folders(folders);
}

Status LockedStore::get_file(const std::string& key, const std::string& local_path) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->get_file(key, local_path);
}

Result<bool> LockedStore::exists(const std::string& key) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->exists(key);
}

Result<std::vector<std::string>> LockedStore::list(const std::string& folder) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->list(folder);
}

Status LockedStore::remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->remove(key);
}

Status LockedStore::remove_folder(const std::string& folder) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->remove_folder(folder);
}

void LockedStore::disconnect() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->store->disconnect();
}

std::string LockedStore::describe() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->store->describe();
}

}  // namespace dli
