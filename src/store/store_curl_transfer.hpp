#pragma once
// One libcurl request of the ftp/ftps/sftp store, on a reused easy handle (what a failure means:
// store_curl_failure.hpp). FTP paths are given whole to every command (libcurl's NOCWD method): no folder-by-folder
// CWD walk, and the connection's working folder stays the login folder, where FTP quote commands' paths start.
// Private to dli_store.
#include <curl/curl.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "store_curl_url.hpp"

namespace dli::curl_store {

// How to reach, trust and log in to the server; fixed when the store is opened.
struct ConnectionSettings {
  Scheme scheme = Scheme::kFtp;
  std::string user;
  std::string password;
  std::string credentials_source;  // for messages
  std::string ca_file;
  std::string pinned_public_key;
  bool tls_max_12 = true;
  std::string known_hosts;
  std::string private_key;
  std::string public_key;
  std::string known_hosts_name;  // "[host]:port" or "host", for messages
  long connect_timeout_ms = 10'000;
  long stall_timeout_s = 30;
  long operation_timeout_ms = 0;
};

struct Transfer {
  std::string url;
  bool nobody = false;                 // no data transfer: metadata (SIZE, stat) and quote commands only
  bool list_only = false;              // names of a folder's entries (NLST / readdir)
  bool create_dirs = false;            // sftp: create missing folders on upload (FTP: store_curl_ftp.hpp)
  bool ignore_size = false;            // FTP download: RETR without asking SIZE first (one command less)
  std::vector<std::string> quote;      // commands before the transfer
  std::vector<std::string> postquote;  // commands after it (FTP: whole paths, from the login folder)
  // Upload source: `upload_file` when set, else `upload_data`.
  bool upload = false;
  std::string_view upload_data;
  std::FILE* upload_file = nullptr;
  std::int64_t upload_size = 0;
  std::size_t upload_offset = 0;  // progress through upload_data
  // Download sink: `sink_file` when set, else `sink`; neither: discarded.
  std::string* sink = nullptr;
  std::FILE* sink_file = nullptr;
  int sink_errno = 0;  // why writing `sink_file` failed: libcurl only says that it did
};

struct Outcome {
  CURLcode code = CURLE_OK;
  long reply = 0;                    // last FTP reply code; 0 for SFTP
  std::string detail;                // libcurl's message
  std::int64_t content_length = -1;  // size reported by SIZE or stat; -1: unknown
  std::int64_t uploaded = 0;
  int host_key_match = -1;  // sftp: curl_khmatch of the host key check; -1: not checked
  // FTP: the last line of each server reply, in order ("213 1234"); the last 64 only.
  std::vector<std::string> replies;
  bool ok() const { return code == CURLE_OK; }
};

// A libcurl easy handle kept across requests so that its connection (and TLS session) is reused.
class CurlSession {
 public:
  // fresh_for_data: every request that opens an FTP data connection starts on a new control connection (new
  // login); the commands-only requests after it reuse that one.
  CurlSession(ConnectionSettings settings, bool fresh_for_data);
  ~CurlSession();
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  Outcome perform(Transfer& transfer);
  // Closes the kept connection (FTP: QUIT) so that the server's slot is free; the next request connects again.
  void disconnect() { drop(); }
  const ConnectionSettings& settings() const { return settings_; }
  bool connected() const { return handle_ != nullptr; }  // a connection is kept (libcurl may still find it dead)
  std::uint64_t requests() const { return requests_; }
  std::uint64_t connections() const { return connections_; }  // control connections opened (logins)

 private:
  void configure(CURL* handle, Transfer& transfer, Outcome& outcome, char* errors);
  CURLcode run(CURL* handle, std::string& stalled);
  void drop();

  ConnectionSettings settings_;
  bool fresh_for_data_;
  CURLM* multi_ = nullptr;
  CURL* handle_ = nullptr;
  std::uint64_t requests_ = 0;
  std::uint64_t connections_ = 0;
};

}  // namespace dli::curl_store
