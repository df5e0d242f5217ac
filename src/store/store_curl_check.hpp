#pragma once
// Private to dli_store: what a libcurl store URL asks for, checked without connecting and without credentials, so
// that `dli-integrator plan` refuses a bad URL as a configuration error and CurlStore::open applies the same rules.
#include "dli/store/store_curl.hpp"
#include "store_curl_url.hpp"

namespace dli::curl_store {

// The URL's query applied over `options` (apply_store_url_options), then checked: options only apply to the scheme
// they serve, and the files they name must be absolute paths (every agent opens the same URL, each from its own
// folder) that can be read here. Error without the store's name (the caller adds it).
Result<CurlStoreOptions> checked_options(const StoreUrl& url, CurlStoreOptions options);

// Why a known_hosts file that cannot be read matters, and how to fill it.
std::string known_hosts_unreadable(const StoreUrl& url, const std::string& path);

}  // namespace dli::curl_store
