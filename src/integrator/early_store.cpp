#include "dli/integrator/early_store.hpp"

#include <utility>

#include <spdlog/spdlog.h>

namespace dli {

EarlyStore::EarlyStore(std::string url) : url_(std::move(url)) {
  if (url_.empty()) return;
  opening_ = std::async(std::launch::async, [url = url_]() -> std::unique_ptr<Store> {
    auto opened = open_store(url);
    if (!opened) return nullptr;
    // Stores connect on first use: the listing a new run id needs anyway logs in now. Its failure is left to
    // the run's own listing to report.
    (void)opened.value()->list("runs");
    return std::move(opened.value());
  });
}

EarlyStore::~EarlyStore() {
  if (opening_.valid()) opening_.wait();
}

std::unique_ptr<Store> EarlyStore::take(const std::string& url) {
  if (!opening_.valid() || url != url_) return nullptr;
  auto store = opening_.get();
  if (store) spdlog::debug("store reached while the sweep was read");
  return store;
}

}  // namespace dli
