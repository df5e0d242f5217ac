#include "dli/store/store_probe.hpp"

#include <fmt/format.h>

#include "dli/util/version.hpp"

namespace dli {

Status probe_store(Store& store, const std::string& name, const std::string& token) {
  const std::string key = fmt::format("probes/{}-{}.txt", name, token);
  const std::string content = fmt::format("dli {} probe from {}\n", kVersion, name);
  if (auto put = store.put(key, content); !put) return Error{"write: " + put.error().message};
  auto got = store.get(key);
  auto removed = store.remove(key);  // whatever the read gave: leave nothing behind
  if (!got) return Error{"read: " + got.error().message};
  if (got.value() != content) return Error{"read back different content from " + key};
  if (!removed) return Error{"delete: " + removed.error().message};
  return {};
}

}  // namespace dli
