#pragma once
// Network stores through libcurl (docs/stores.md):
//   ftp://host[:port]/base/path          plain FTP (trusted networks only: the password crosses in clear)
//   ftps://host[:port]/base/path         FTP with explicit TLS (AUTH TLS on the FTP port, default 21)
//   sftp://user@host[:port]/abs/base     SFTP over SSH, key authentication, host key checked against known_hosts
// FTP paths are relative to the login folder (%2F first for an absolute one); SFTP paths are absolute ("/~/"
// for the home folder). Non-secret options may follow as a query: ftps://h/dli?ca_file=/etc/dli/ca.pem.
// Credentials come from include/dli/credentials.hpp, never from the URL.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dli/store/credentials.hpp"
#include "dli/util/result.hpp"
#include "dli/store/store.hpp"

namespace dli {

struct CurlStoreOptions {
  // ftps: CA certificates (PEM) that must vouch for the server; empty: the system's CAs.
  std::string ca_file;
  // ftps: "sha256//BASE64" (';'-separated alternatives) of the server's public key. With no ca_file the pin
  // replaces the CA check (self-signed servers); with one, both must pass. The host name is always checked.
  std::string pinned_public_key;
  // sftp: OpenSSH known_hosts file; empty: ~/.ssh/known_hosts. Unknown or changed host keys are refused.
  std::string known_hosts;
  // sftp: private key (ed25519 or ECDSA; unencrypted); empty: ~/.ssh/id_ed25519, else ~/.ssh/id_ecdsa.
  std::string ssh_private_key;
  std::string ssh_public_key;                         // empty: derived from the private key
  std::chrono::milliseconds connect_timeout{10'000};  // TCP connect + TLS/SSH handshake + login
  std::chrono::milliseconds stall_timeout{30'000};    // a transfer or command making no progress this long fails
  std::chrono::milliseconds operation_timeout{0};     // hard limit per attempt; 0: none (models can be large)
  int retries = 3;                                    // extra attempts after a transient failure
  // Mean wait before the first retry, doubled for each further one. Each wait is drawn at random from
  // [0, 2 x its mean], at most 8 s (full jitter, include/dli/util/backoff.hpp), so that agents spread out.
  std::chrono::milliseconds retry_delay{250};
  // ftps: highest TLS version, "1.2" or "1.3". vsftpd's default require_ssl_reuse=YES breaks data connections
  // on a reused TLS 1.3 connection, so with "1.3" every upload, download and listing logs in afresh (slower).
  std::string tls_max = "1.2";
  // sftp: replace objects with OpenSSH's posix-rename extension (atomic) over a second SSH connection. Without
  // it (or when the server lacks it) an overwrite is remove-then-rename: readers may briefly get "not found".
  bool sftp_posix_rename = true;
  // Use these instead of looking credentials up (include/dli/credentials.hpp).
  std::optional<Credentials> credentials;
};

// Fills `options` from a URL query ("?ca_file=...&retries=5"); durations in seconds ("2.5"). Error for an
// unknown name or a bad value, and for user/password (they never go in URLs).
Status apply_store_url_options(const std::vector<std::pair<std::string, std::string>>& query,
                               CurlStoreOptions& options);

class CurlStore final : public Store {
 public:
  // Checks the URL and options and looks credentials up; connects lazily, on the first operation.
  static Result<std::unique_ptr<CurlStore>> open(const std::string& url, CurlStoreOptions options = {});
  ~CurlStore() override;
  CurlStore(const CurlStore&) = delete;
  CurlStore& operator=(const CurlStore&) = delete;

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
  // Closes the kept connection (FTP: QUIT) and the SFTP posix-rename side channel, freeing the server's slots
  // (vsftpd's max_clients); the next operation logs in again.
  void disconnect() override;
  std::string describe() const override;

  // Counters since open(), for benchmarks: Store calls; libcurl requests (with verification steps and retries);
  // control connections opened, each with a TCP connect, TLS/SSH handshake and login (reuse keeps this low; FTP
  // data connections and the SFTP posix-rename side channel are not counted); retries after transient failures.
  std::uint64_t operation_count() const;
  std::uint64_t request_count() const;
  std::uint64_t connection_count() const;
  std::uint64_t retry_count() const;

  struct Impl;

 private:
  explicit CurlStore(std::unique_ptr<Impl> impl);
  Status put_local_file(const std::string& key, const std::string& local_path, bool in_place);
  std::unique_ptr<Impl> impl_;
};

// check_store_url() support for ftp://, ftps:// and sftp:// URLs: the URL and its options as CurlStore::open checks
// them, without credentials (they are looked up where the store is opened).
Status check_curl_store_url(const std::string& url);

// open_store() support for ftp://, ftps:// and sftp:// URLs.
Result<std::unique_ptr<Store>> open_curl_store(const std::string& url, const CurlStoreOptions& options = {});

}  // namespace dli
