#pragma once
// The run's store, opened and logged into in the background while the integrator reads its configuration. A
// login can cost a few hundred milliseconds (an FTP server checking a slow password hash), and no agent can start
// before the integrator has reserved the run's id in the store: this takes the login off the run's critical path
// as far as reading the sweep lasts.
#include <future>
#include <memory>
#include <string>

#include "dli/store/store.hpp"

namespace dli {

class EarlyStore {
 public:
  // Starts opening `url` now; an empty url starts nothing.
  explicit EarlyStore(std::string url);
  ~EarlyStore();  // waits for an opening under way (it is bounded by the store's own timeouts)
  EarlyStore(const EarlyStore&) = delete;
  EarlyStore& operator=(const EarlyStore&) = delete;

  // The connection when it was opened for `url`; null otherwise, or when it could not be opened (the caller then
  // opens its own, and reports that error as usual).
  std::unique_ptr<Store> take(const std::string& url);

 private:
  std::string url_;
  std::future<std::unique_ptr<Store>> opening_;
};

}  // namespace dli
