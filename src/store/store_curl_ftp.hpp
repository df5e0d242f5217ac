#pragma once
// The FTP side of the ftp:// and ftps:// store, in as few commands as the server allows (docs/stores.md, "Commands
// per operation"). Every path is given whole, relative to the login folder (or absolute): libcurl's NOCWD method for
// transfers, quote commands for the rest, so no request walks the folders with CWD. Folders are made only when an
// upload is refused, which is also how FTP says "no such folder". Private to dli_store.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store_curl_transfer.hpp"

namespace dli::curl_store {

class FtpRequests {
 public:
  // `command_url`: a URL on the store's server whose path is where quote commands are run: the base folder, as a
  // folder URL (so that libcurl, in NOCWD mode, never changes folder before them).
  FtpRequests(CurlSession& session, std::string command_url);

  // An upload, download or listing; remembers the transfer type (binary or ASCII) it leaves the connection in.
  Outcome transfer(Transfer& transfer);

  // Commands alone, no transfer ("RNFR a", "RNTO b"); a leading '*' lets one fail without failing the request.
  Outcome commands(const std::vector<std::string>& commands);

  // SIZE of a remote file. found=false: the server has no such file (550). Failures in `outcome`.
  struct Size {
    Outcome outcome;
    bool found = false;
    std::int64_t bytes = -1;  // -1: found but the server gave no number
  };
  Size size(const std::string& path);

  // After an upload into `folder` (a remote path) was refused: makes its missing folders, deepest first
  // (one MKD when only the last level is new). ok() also when nothing could be made: the upload's second refusal
  // then says so. Fails only for trouble other than a refused MKD (connection lost, say).
  Outcome make_folders(const std::string& folder);
  // Every level of every folder, parents first and each once, in one request: for a writer that knows which
  // folders are new (a run's), where going up from the deepest would cost a refused MKD per missing level.
  Outcome make_folders_top_down(const std::vector<std::string>& folders);

  // The upload was refused before any data moved: 553 (vsftpd, Pure-FTPd) or 550 (ProFTPD), for a missing folder
  // as for a folder the user may not write in.
  static bool upload_refused(const Outcome& outcome);
  // The number of the last reply when it is "213 N" (the answer to a SIZE sent last, e.g. as a postquote).
  static std::optional<std::int64_t> size_reply(const Outcome& outcome);

 private:
  bool binary_known() const;

  CurlSession& session_;
  std::string command_url_;
  // session_.connections() when the connection last finished a binary transfer; 0: not binary, or not known.
  std::uint64_t binary_on_ = 0;
};

}  // namespace dli::curl_store
