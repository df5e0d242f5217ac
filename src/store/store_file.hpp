#pragma once
// A store in a local (or network-mounted) folder: file:///abs/path. Private to dli_core.
#include <memory>
#include <string>

#include "dli/store/store.hpp"

namespace dli {

// Keys are relative '/'-separated paths: no leading '/', no empty, "." or ".." segment, no segment starting with
// '.' (reserved for the store's temporary files), no NUL. Every backend checks keys with this, so a run id or
// host name can never reach outside the store's root.
Status check_store_key(const std::string& key);

// `root` must be an absolute path; it is created on the first write.
std::unique_ptr<Store> make_file_store(const std::string& root);

}  // namespace dli
