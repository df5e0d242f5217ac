#pragma once
// A CurlStore on a test vsftpd (tests/support/vsftpd_server.hpp): the server's user and password, and for FTPS its
// certificate as the CA. Throws when the store cannot be opened (a test mistake, not a store failure).
#include <memory>
#include <stdexcept>
#include <string>

#include "dli/store/store_curl.hpp"
#include "support/vsftpd_server.hpp"

namespace dli::testing {

inline CurlStoreOptions ftp_store_options(const VsftpdServer& server) {
  CurlStoreOptions options;
  options.credentials = Credentials{server.user(), server.password(), "the test fixture"};
  if (server.url().rfind("ftps:", 0) == 0) options.ca_file = server.ca_file();
  return options;
}

// `path`: the store's folder under the user's home.
inline std::unique_ptr<CurlStore> open_ftp_store(const VsftpdServer& server, const std::string& path,
                                                 const CurlStoreOptions& options) {
  auto store = CurlStore::open(server.url(path), options);
  if (!store.ok()) throw std::runtime_error("cannot open " + server.url(path) + ": " + store.error().message);
  return std::move(store.value());
}

inline std::unique_ptr<CurlStore> open_ftp_store(const VsftpdServer& server, const std::string& path) {
  return open_ftp_store(server, path, ftp_store_options(server));
}

}  // namespace dli::testing
