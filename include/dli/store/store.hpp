#pragma once
// The coordination store: where task lists, models, results and status live (docs/protocol.md).
// Keys are relative paths with '/' separators, e.g. "runs/<run>/hosts/<host>/status.json".
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dli/util/result.hpp"

namespace dli {

class Store {
 public:
  virtual ~Store() = default;
  // Whole object; Error when missing (message says so) or unreadable.
  virtual Result<std::string> get(const std::string& key) = 0;
  // Atomic publish: written under a temporary name in the same folder, then renamed over `key`,
  // so readers see the old object or the new one, never a partial one. Parent folders are created.
  virtual Status put(const std::string& key, std::string_view data) = 0;
  // Same for a local file (models: large, streamed rather than held in memory).
  virtual Status put_file(const std::string& key, const std::string& local_path) = 0;
  // Written straight under `key`, without put()'s temporary and rename: for an object nobody reads until another
  // object, published after it, says it is complete (a test's log, before its result). A failed upload may leave a
  // partial object, which the next attempt replaces. Stores whose publish costs nothing extra keep it atomic.
  virtual Status put_file_in_place(const std::string& key, const std::string& local_path) {
    return put_file(key, local_path);
  }
  virtual Status get_file(const std::string& key, const std::string& local_path) = 0;
  virtual Result<bool> exists(const std::string& key) = 0;
  // Names (not full keys) of the objects and folders directly inside `folder`; empty when it does not exist.
  virtual Result<std::vector<std::string>> list(const std::string& folder) = 0;
  virtual Status remove(const std::string& key) = 0;
  // Removes an empty folder (its objects removed first); an absent one is fine. Never recursive: a folder that still
  // holds something is an error, so a wrong key cannot take a tree with it.
  virtual Status remove_folder(const std::string& folder) = 0;
  // Makes these folders and their parents ahead of writes into them (existing ones are fine), so that a writer
  // does not first learn of a missing folder from a refused upload. Writes make their folders anyway: a store
  // where that costs nothing does nothing here.
  virtual Status make_folders(const std::vector<std::string>& folders) {
    (void)folders;
    return {};
  }
  // Drops any connection kept for reuse; the next operation connects again. Callers that will not need the store
  // for a while call it, so that a crowded server's connection slots go to those who need them.
  virtual void disconnect() {}
  // Whether get() may run on several threads at once: true for a local folder, false for a connection (the
  // default), which callers then use from one thread. Collecting a large run reads its results in parallel.
  virtual bool concurrent_gets() const { return false; }
  // URL with any credentials removed, for logs and messages.
  virtual std::string describe() const = 0;
};

// Creates a store from a URL: file:///abs/path (later ftp://, ftps://, sftp://).
// Error for an unknown scheme or a malformed URL.
Result<std::unique_ptr<Store>> open_store(const std::string& url);

// Checks `url` as open_store() would, without opening, connecting or looking credentials up: the scheme, the form,
// every option's name and value, and that the files the options name can be read here. For `plan`, which must
// refuse a bad URL before anything is written.
Status check_store_url(const std::string& url);

// Removes user:password@ from a URL, for logs.
std::string redact_url(const std::string& url);

}  // namespace dli
