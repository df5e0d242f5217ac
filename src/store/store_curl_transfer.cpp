// libcurl requests of the ftp/ftps/sftp store (src/store_curl_transfer.hpp).
#include "store_curl_transfer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "store_curl_failure.hpp"

namespace dli::curl_store {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t wanted = size * count;
  if (transfer->upload_file != nullptr) {
    const std::size_t got = std::fread(buffer, 1, wanted, transfer->upload_file);
    if (got == 0 && std::ferror(transfer->upload_file)) return CURL_READFUNC_ABORT;
    return got;
  }
  const std::size_t left = transfer->upload_data.size() - transfer->upload_offset;
  const std::size_t taken = std::min(left, wanted);
  std::memcpy(buffer, transfer->upload_data.data() + transfer->upload_offset, taken);
  transfer->upload_offset += taken;
  return taken;
}

// libcurl rewinds the source when it must resend (a reused connection found dead, say).
int seek_upload(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  if (transfer->upload_file != nullptr) {
    return ::fseeko(transfer->upload_file, static_cast<off_t>(offset), SEEK_SET) == 0 ? CURL_SEEKFUNC_OK
                                                                                      : CURL_SEEKFUNC_FAIL;
  }
  if (static_cast<std::size_t>(offset) > transfer->upload_data.size()) return CURL_SEEKFUNC_FAIL;
  transfer->upload_offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t write_download(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->sink_file != nullptr) {
    const std::size_t written = std::fwrite(data, 1, bytes, transfer->sink_file);
    if (written != bytes) transfer->sink_errno = errno;
    return written;
  }
  if (transfer->sink != nullptr) transfer->sink->append(data, bytes);
  return bytes;
}

// SFTP's NOBODY requests write "Content-Length:"-style lines, which are not wanted.
std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

constexpr std::size_t kKeptReplies = 64;  // a login, then a few dozen MKDs at most

// libcurl hands FTP's server replies, line by line, to the header callback. The last line of each ("213 1234",
// where a reply of several lines has "213-" before it) is kept: SIZE answers are read from it, and messages quote it.
std::size_t keep_reply(char* data, std::size_t size, std::size_t count, void* user) {
  auto* outcome = static_cast<Outcome*>(user);
  const std::size_t bytes = size * count;
  std::string line(data, bytes);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  const auto digit = [&line](std::size_t at) { return std::isdigit(static_cast<unsigned char>(line[at])) != 0; };
  if (line.size() >= 4 && digit(0) && digit(1) && digit(2) && line[3] == ' ') {
    if (outcome->replies.size() == kKeptReplies) outcome->replies.erase(outcome->replies.begin());
    outcome->replies.push_back(std::move(line));
  }
  return bytes;
}

// Refuses every host key that is not exactly the one in known_hosts (libcurl's default too, but this also
// records why, for the message).
int check_host_key(CURL*, const curl_khkey*, const curl_khkey*, curl_khmatch match, void* user) {
  *static_cast<int*>(user) = static_cast<int>(match);
  return match == CURLKHMATCH_OK ? CURLKHSTAT_FINE : CURLKHSTAT_REJECT;
}

class SList {
 public:
  explicit SList(const std::vector<std::string>& items) {
    for (const std::string& item : items) list_ = curl_slist_append(list_, item.c_str());
  }
  ~SList() { curl_slist_free_all(list_); }
  SList(const SList&) = delete;
  SList& operator=(const SList&) = delete;
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace

CurlSession::CurlSession(ConnectionSettings settings, bool fresh_for_data)
    : settings_(std::move(settings)), fresh_for_data_(fresh_for_data) {
  global_init();
}

CurlSession::~CurlSession() { drop(); }

void CurlSession::drop() {
  // The connections live in the multi handle's cache: cleaning it up closes them.
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  if (handle_ != nullptr) curl_easy_cleanup(handle_);
  multi_ = nullptr;
  handle_ = nullptr;
}

// curl_easy_perform() in libcurl 7.88 sometimes misses the moment an FTP passive data connection can be opened and
// sleeps out its 1 s poll timeout (seen on about one upload in ten); over TLS it also misses replies already
// buffered by OpenSSL. Driving the transfer here, waking at least every millisecond while it runs, bounds such
// stalls to 1 ms. The connection cache then belongs to the multi handle.
// The loop also enforces the stall timeout in every phase: libcurl's low-speed limit covers only the data phase,
// and an SFTP server that stops answering an open request would otherwise hold it for libssh2's fixed 60 s.
CURLcode CurlSession::run(CURL* handle, std::string& stalled) {
  if (multi_ == nullptr) multi_ = curl_multi_init();
  if (multi_ == nullptr || curl_multi_add_handle(multi_, handle) != CURLM_OK) return CURLE_FAILED_INIT;
  using Clock = std::chrono::steady_clock;
  const auto stall = std::chrono::seconds(settings_.stall_timeout_s);
  // Until the first byte moves, connecting and logging in may also take their own (connect) time.
  const auto first_stall = stall + std::chrono::milliseconds(settings_.connect_timeout_ms);
  auto last_progress = Clock::now();
  curl_off_t last_bytes = 0;
  int running = 1;
  while (running > 0) {
    if (curl_multi_perform(multi_, &running) != CURLM_OK) break;
    if (running == 0) break;
    curl_off_t sent = 0, received = 0;
    curl_easy_getinfo(handle, CURLINFO_SIZE_UPLOAD_T, &sent);
    curl_easy_getinfo(handle, CURLINFO_SIZE_DOWNLOAD_T, &received);
    const auto now = Clock::now();
    if (sent + received != last_bytes) {
      last_bytes = sent + received;
      last_progress = now;
    } else if (now - last_progress > (last_bytes == 0 ? first_stall : stall)) {
      curl_multi_remove_handle(multi_, handle);  // closes the connection mid-request
      stalled = fmt::format("no progress for {} s: the server stopped answering", settings_.stall_timeout_s);
      return CURLE_OPERATION_TIMEDOUT;
    }
    if (curl_multi_poll(multi_, nullptr, 0, 1, nullptr) != CURLM_OK) break;
  }
  CURLcode code = CURLE_RECV_ERROR;  // only if libcurl's multi layer itself failed
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == handle) code = message->data.result;
  }
  curl_multi_remove_handle(multi_, handle);
  return code;
}

void CurlSession::configure(CURL* handle, Transfer& transfer, Outcome& outcome, char* errors) {
  const bool sftp = settings_.scheme == Scheme::kSftp;
  curl_easy_setopt(handle, CURLOPT_URL, transfer.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, sftp ? "sftp" : "ftp");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errors);
  curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
  // A stalled transfer (under 1 byte/s for the stall time) fails; a slow but moving one may take as long as it needs.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, settings_.stall_timeout_s);
  if (settings_.operation_timeout_ms > 0) curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, settings_.operation_timeout_ms);
  if (!settings_.user.empty()) curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.user.c_str());
  if (!settings_.password.empty()) curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password.c_str());

  if (sftp) {
    long auth = 0;
    if (!settings_.private_key.empty()) auth |= CURLSSH_AUTH_PUBLICKEY;
    if (!settings_.password.empty()) auth |= CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD;
    curl_easy_setopt(handle, CURLOPT_SSH_AUTH_TYPES, auth);
    if (!settings_.private_key.empty()) {
      curl_easy_setopt(handle, CURLOPT_SSH_PRIVATE_KEYFILE, settings_.private_key.c_str());
      if (!settings_.public_key.empty())
        curl_easy_setopt(handle, CURLOPT_SSH_PUBLIC_KEYFILE, settings_.public_key.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_SSH_KNOWNHOSTS, settings_.known_hosts.c_str());
    curl_easy_setopt(handle, CURLOPT_SSH_KEYFUNCTION, check_host_key);
    curl_easy_setopt(handle, CURLOPT_SSH_KEYDATA, &outcome.host_key_match);
  }
  curl_easy_setopt(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings_.stall_timeout_s);
  if (settings_.scheme == Scheme::kFtps) {
    curl_easy_setopt(handle, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    curl_easy_setopt(handle, CURLOPT_SSLVERSION,
                     settings_.tls_max_12 ? static_cast<long>(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2)
                                          : static_cast<long>(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_DEFAULT));
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.pinned_public_key.empty()) {
      curl_easy_setopt(handle, CURLOPT_PINNEDPUBLICKEY, settings_.pinned_public_key.c_str());
    }
    // A pin without a CA replaces the chain check (self-signed servers); libcurl checks the pin regardless.
    const bool pin_only = settings_.ca_file.empty() && !settings_.pinned_public_key.empty();
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, pin_only ? 0L : 1L);
  }

  if (sftp) {
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, discard);
  } else {
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, keep_reply);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &outcome);
    // Whole paths in STOR/RETR/SIZE/NLST: no CWD walk per request (store_curl_transfer.hpp).
    curl_easy_setopt(handle, CURLOPT_FTP_FILEMETHOD, static_cast<long>(CURLFTPMETHOD_NOCWD));
    if (transfer.ignore_size) curl_easy_setopt(handle, CURLOPT_IGNORE_CONTENT_LENGTH, 1L);
  }
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION,
                   transfer.sink != nullptr || transfer.sink_file != nullptr ? write_download : discard);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (transfer.nobody) curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (transfer.list_only) curl_easy_setopt(handle, CURLOPT_DIRLISTONLY, 1L);
  if (transfer.create_dirs)
    curl_easy_setopt(handle, CURLOPT_FTP_CREATE_MISSING_DIRS, static_cast<long>(CURLFTP_CREATE_DIR_RETRY));
  if (transfer.upload) {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(transfer.upload_size));
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, seek_upload);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
  }
}

Outcome CurlSession::perform(Transfer& transfer) {
  const bool data_connection = settings_.scheme != Scheme::kSftp && !transfer.nobody;
  if (fresh_for_data_ && data_connection) drop();
  if (handle_ == nullptr) {
    handle_ = curl_easy_init();
  } else {
    curl_easy_reset(handle_);  // keeps the live connection and the TLS session cache
  }
  Outcome outcome;
  if (handle_ == nullptr) {
    outcome.code = CURLE_FAILED_INIT;
    outcome.detail = "cannot create a libcurl handle";
    return outcome;
  }
  char errors[CURL_ERROR_SIZE] = "";
  configure(handle_, transfer, outcome, errors);
  const SList quote(transfer.quote);
  const SList postquote(transfer.postquote);
  if (quote.get() != nullptr) curl_easy_setopt(handle_, CURLOPT_QUOTE, quote.get());
  if (postquote.get() != nullptr) curl_easy_setopt(handle_, CURLOPT_POSTQUOTE, postquote.get());

  std::string stalled;
  outcome.code = run(handle_, stalled);
  ++requests_;
  // libcurl counts FTP data connections too; only control connections (each with its own login) count here.
  long connects = 0;
  curl_easy_getinfo(handle_, CURLINFO_NUM_CONNECTS, &connects);
  connections_ += static_cast<std::uint64_t>(std::max(0L, connects - (data_connection ? 1L : 0L)));
  if (settings_.scheme != Scheme::kSftp) curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &outcome.reply);
  curl_off_t length = -1, uploaded = 0;
  curl_easy_getinfo(handle_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  curl_easy_getinfo(handle_, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  outcome.content_length = length;
  outcome.uploaded = uploaded;
  if (!outcome.ok())
    outcome.detail = !stalled.empty() ? stalled : errors[0] != '\0' ? errors : curl_easy_strerror(outcome.code);
  // After a network failure the connection's state is unknown: the next request starts on a fresh one. A server
  // that answered (no such file, refused command) leaves it healthy, and reconnecting costs a login.
  if (classify(outcome, settings_.scheme) == Failure::kTransient || failed_before_login(outcome)) {
    drop();
  }
  return outcome;
}

}  // namespace dli::curl_store
