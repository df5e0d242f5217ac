// What failed libcurl requests of the ftp/ftps/sftp store mean (store_curl_failure.hpp).
#include "store_curl_failure.hpp"

#include <fmt/format.h>

namespace dli::curl_store {

Failure classify(const Outcome& outcome, Scheme scheme) {
  if (outcome.ok()) return Failure::kNone;
  if (outcome.code == CURLE_REMOTE_FILE_NOT_FOUND) return Failure::kNotFound;
  const bool ftp = scheme != Scheme::kSftp;
  // vsftpd answers CWD into a missing folder with 550, which libcurl reports as "access denied".
  if (ftp && outcome.code == CURLE_REMOTE_ACCESS_DENIED && outcome.reply == 550) return Failure::kNotFound;
  // A full disk stays full for longer than retries wait, and a refusal is an answer: report both at once.
  if (refusal_of(outcome, scheme) != ErrorKind::kOther) return Failure::kPermanent;
  // 4xx: "try again later" in FTP (421 busy/timeout, 425/426 data connection, 450/451 temporary).
  if (ftp && outcome.reply >= 400 && outcome.reply < 500) return Failure::kTransient;
  switch (outcome.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:  // also vsftpd's "522 session reuse required" on a data connection
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_FTP_WEIRD_SERVER_REPLY:
    case CURLE_FTP_ACCEPT_FAILED:
    case CURLE_FTP_ACCEPT_TIMEOUT:
    case CURLE_FTP_WEIRD_PASV_REPLY:
    case CURLE_FTP_WEIRD_227_FORMAT:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_PORT_FAILED:
    case CURLE_FTP_BAD_FILE_LIST:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_AGAIN:
    case CURLE_SSH:  // libssh2 reports dropped connections and SFTP's generic "failure" alike
      return Failure::kTransient;
    default:
      return Failure::kPermanent;
  }
}

ErrorKind refusal_of(const Outcome& outcome, Scheme scheme) {
  if (outcome.ok()) return ErrorKind::kOther;
  // libcurl's own reading of SFTP's "no space" and "quota exceeded", and of FTP's 552 after a transfer.
  if (outcome.code == CURLE_REMOTE_DISK_FULL) return ErrorKind::kNoSpace;
  const bool ftp = scheme != Scheme::kSftp;
  // 452 "insufficient storage space", 552 "exceeded storage allocation" (RFC 959), at any step of a write.
  if (ftp && (outcome.reply == 452 || outcome.reply == 552)) return ErrorKind::kNoSpace;
  if (!ftp && outcome.code == CURLE_REMOTE_ACCESS_DENIED) return ErrorKind::kDenied;
  return ErrorKind::kOther;
}

bool failed_before_login(const Outcome& outcome) {
  switch (outcome.code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_LOGIN_DENIED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

std::string explain(const Outcome& outcome, const ConnectionSettings& settings) {
  std::string text;
  switch (outcome.code) {
    case CURLE_LOGIN_DENIED:
      text = fmt::format("login refused for user '{}' (credentials from {}): {}", settings.user,
                         settings.credentials_source, outcome.detail);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      if (settings.scheme != Scheme::kSftp && outcome.detail.find("subject name") != std::string::npos) {
        text = fmt::format(
            "the server's TLS certificate is not for this host name ({}); use a name or address the "
            "certificate lists",
            outcome.detail);
      } else if (settings.scheme != Scheme::kSftp) {
        text = fmt::format(
            "the server's TLS certificate could not be verified ({}); give the CA that signed it "
            "with ca_file=PATH, or pin the server's key with pinned_public_key=sha256//BASE64",
            outcome.detail);
      } else if (outcome.host_key_match == CURLKHMATCH_MISMATCH) {
        text = fmt::format(
            "the host key of {} differs from the one in {}: refused (the server was reinstalled, "
            "or someone intercepts the connection)",
            settings.known_hosts_name, settings.known_hosts);
      } else if (outcome.host_key_match == CURLKHMATCH_MISSING) {
        text = fmt::format(
            "the host key of {} is not in {}: refused (check the key, then add it, e.g. with "
            "ssh-keyscan)",
            settings.known_hosts_name, settings.known_hosts);
      } else {
        text = "the server's identity could not be verified: " + outcome.detail;
      }
      break;
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      text = "the server's public key does not match pinned_public_key: refused";
      break;
    case CURLE_SSL_CACERT_BADFILE:
      text = fmt::format("cannot use ca_file {}: {}", settings.ca_file, outcome.detail);
      break;
    case CURLE_USE_SSL_FAILED:
      text = "the server does not offer TLS (AUTH TLS refused): " + outcome.detail;
      break;
    case CURLE_REMOTE_ACCESS_DENIED:
      text = "permission denied: " + outcome.detail;
      break;
    case CURLE_REMOTE_DISK_FULL:
      text = "the server has no space left for it (disk or quota full): " + outcome.detail;
      break;
    default:
      text = outcome.detail;
  }
  // libcurl reports a 421 as a timeout ("too many users" or an idle session ended); the server's words follow.
  if (outcome.reply == 421) text = "the server is busy or closed the connection";
  // The server's own words, for people (e.g. "421 There are too many connected users"); never parsed.
  const bool said_something = !outcome.replies.empty() && outcome.replies.back().size() > 4;
  const std::string said = said_something ? ": " + outcome.replies.back().substr(4) : std::string();
  text += outcome.reply > 0
              ? fmt::format(" [curl error {}, FTP reply {}{}]", static_cast<int>(outcome.code), outcome.reply, said)
              : fmt::format(" [curl error {}]", static_cast<int>(outcome.code));
  // Defence in depth: no libcurl or server text should carry the password, but never let it through.
  if (!settings.password.empty()) {
    for (std::size_t at = text.find(settings.password); at != std::string::npos;
         at = text.find(settings.password, at + 3)) {
      text.replace(at, settings.password.size(), "***");
    }
  }
  return text;
}

}  // namespace dli::curl_store
