// ftp://, ftps:// and sftp:// stores through libcurl (include/dli/store_curl.hpp, docs/stores.md).
//
// put = upload to ".<name>.tmp.<random>" in the key's folder, check the size the server reports, rename over the
// key. FTP's RNTO replaces an existing file with rename(2) on vsftpd, so readers see old or new. SFTP v3 RENAME
// refuses an existing target on OpenSSH: the posix-rename extension is used instead (store_curl_sftp_rename.hpp).
// FTP requests give whole paths and make folders only when an upload is refused (store_curl_ftp.hpp).
#include "dli/store/store_curl.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "dli/util/backoff.hpp"
#include "store_curl_failure.hpp"
#include "store_curl_ftp.hpp"
#include "store_curl_check.hpp"
#include "store_curl_sftp_rename.hpp"
#include "store_curl_transfer.hpp"
#include "store_curl_url.hpp"
#include "store_file.hpp"

namespace dli {

using curl_store::Failure;
using curl_store::Outcome;
using curl_store::Scheme;
using curl_store::Transfer;

namespace {

constexpr std::chrono::milliseconds kMaxRetryDelay{8'000};

std::pair<std::string, std::string> split_key(const std::string& key) {
  const std::size_t slash = key.rfind('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

std::string join(const std::string& folder, const std::string& name) {
  return folder.empty() ? name : folder + "/" + name;
}

// Keys end up in FTP commands and SFTP quote commands: line breaks would let a key smuggle in another command.
Status check_key(const std::string& key) {
  if (auto valid = check_store_key(key); !valid) return valid;
  if (key.find_first_of("\r\n") != std::string::npos)
    return Error{fmt::format("invalid store key '{}': line break", key)};
  return {};
}

// An SFTP quote argument: double-quoted, with \ and " escaped (libcurl's quote syntax).
std::string sftp_quoted(const std::string& path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Paths for the raw SFTP channel: "/~/x" is libcurl's way to say "x in the home folder"; SFTP servers resolve
// relative paths from there.
std::string sftp_wire_path(const std::string& path) {
  if (path == "/~") return ".";
  if (path.rfind("/~/", 0) == 0) return path.substr(3);
  return path;
}

bool readable_file(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

// Upload source, rewound for every attempt.
struct Source {
  std::string_view data;
  std::FILE* file = nullptr;
  std::int64_t size = 0;
};

}  // namespace

struct CurlStore::Impl {
  curl_store::StoreUrl url;
  CurlStoreOptions options;
  std::string shown;
  std::mutex mutex;  // one operation at a time: the handle and the SFTP side channel are not thread-safe
  std::unique_ptr<curl_store::CurlSession> session;
  std::unique_ptr<curl_store::FtpRequests> ftp;          // ftp, ftps
  std::unique_ptr<curl_store::SftpPosixRename> renamer;  // sftp
  std::atomic<std::uint64_t> operations{0};
  std::atomic<std::uint64_t> retries{0};
  std::mt19937_64 random{std::random_device{}()};  // seeded apart per store: agents' retries spread
  bool rename_refuses_existing = false;            // sftp: learnt from the server

  bool sftp() const { return url.scheme == Scheme::kSftp; }
  std::string path(const std::string& relative) const { return curl_store::remote_path(url, relative); }
  std::string file_url(const std::string& relative) const { return curl_store::curl_url(url, path(relative), false); }
  std::string folder_url(const std::string& relative) const { return curl_store::curl_url(url, path(relative), true); }

  Error failure(const Outcome& outcome) const {
    return Error{curl_store::explain(outcome, session->settings()),
                 curl_store::classify(outcome, url.scheme) == Failure::kTransient,
                 curl_store::refusal_of(outcome, url.scheme)};
  }

  // Runs `attempt` until it succeeds, fails permanently, or the retries are used up, waiting between attempts with
  // jittered exponential backoff (include/dli/util/backoff.hpp); the final error names the store, the operation and
  // how long it tried, and keeps the attempt's kind.
  template <class T, class Attempt>
  Result<T> retrying(const std::string& what, Attempt attempt) {
    ++operations;
    const auto start = std::chrono::steady_clock::now();
    for (int number = 1;; ++number) {
      Result<T> result = attempt();
      if (result.ok()) return result;
      const Error& error = result.error();
      if (!error.transient || number > options.retries) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::string message = fmt::format("{}: {}: {}", shown, what, error.message);
        if (number > 1) message += fmt::format(" (gave up after {} attempts in {:.1f} s)", number, seconds);
        return Error{message, error.transient, error.kind};
      }
      ++retries;
      std::this_thread::sleep_for(backoff_delay(options.retry_delay, number, kMaxRetryDelay, random));
    }
  }

  std::string temporary_name(const std::string& name) { return fmt::format(".{}.tmp.{:016x}", name, random()); }

  // Best effort: a temporary left behind is invisible to list() and harmless.
  void remove_temporary(const std::string& folder, const std::string& temporary) {
    const std::string remote = path(join(folder, temporary));
    if (!sftp()) {
      ftp->commands({"DELE " + remote});
      return;
    }
    Transfer drop;
    drop.nobody = true;
    drop.url = curl_store::curl_url(url, "/", true);
    drop.quote = {"rm " + sftp_quoted(remote)};
    session->perform(drop);
  }

  Status rename_sftp(const std::string& from, const std::string& to) {
    if (options.sftp_posix_rename && renamer) {
      auto renamed = renamer->rename(sftp_wire_path(from), sftp_wire_path(to));
      if (!renamed) return renamed.error();
      if (renamed.value()) return {};
    }
    // Plain SFTP rename: atomic when the key is new (results are written once), and over an existing key on
    // servers that allow it. OpenSSH refuses that, so the old object is removed first and readers may see
    // "not found" in between. Once a server has refused, every rename starts with the removal ('*': may fail).
    Transfer rename;
    rename.url = curl_store::curl_url(url, "/", true);
    rename.nobody = true;
    const std::string command = "rename " + sftp_quoted(from) + " " + sftp_quoted(to);
    if (!rename_refuses_existing) {
      rename.quote = {command};
      const Outcome renamed = session->perform(rename);
      if (renamed.ok()) return {};
      if (renamed.code != CURLE_QUOTE_ERROR) return failure(renamed);
      rename_refuses_existing = true;
    }
    rename.quote = {"*rm " + sftp_quoted(to), command};
    const Outcome renamed = session->perform(rename);
    if (renamed.ok()) return {};
    return failure(renamed);
  }

  // FTP: upload with the size check in the same request (SIZE as a postquote), folders made only when the upload is
  // refused, then RNFR/RNTO: on an existing folder EPSV STOR SIZE RNFR RNTO, five commands.
  Status put_attempt_ftp(const std::string& folder, const std::string& name, const std::string& temporary,
                         Source& source) {
    const std::string remote = path(join(folder, temporary));
    Transfer upload;
    upload.url = file_url(join(folder, temporary));
    upload.upload = true;
    upload.upload_data = source.data;
    upload.upload_file = source.file;
    upload.upload_size = source.size;
    // '*': a server without SIZE still takes uploads, unchecked. In place (a log) libcurl's count of the bytes sent
    // is the only check: the object is for people, and the server's own count would cost a command per upload.
    if (temporary != name) upload.postquote = {"*SIZE " + remote};
    Outcome sent = ftp->transfer(upload);
    auto abandon = [&](Error error, const Outcome* outcome) {
      if (outcome == nullptr || !curl_store::failed_before_login(*outcome)) remove_temporary(folder, temporary);
      return error;
    };
    if (curl_store::FtpRequests::upload_refused(sent)) {
      // FTP says "no such folder" and "not allowed here" alike: make the folders, then try once more.
      const Outcome made = ftp->make_folders(path(folder));
      if (!made.ok()) return abandon(failure(made), &made);
      if (source.file != nullptr && std::fseek(source.file, 0, SEEK_SET) != 0)
        return Error{"cannot rewind the local file"};
      upload.upload_offset = 0;
      sent = ftp->transfer(upload);
      if (curl_store::FtpRequests::upload_refused(sent)) {
        // The folder is there now, or cannot be made: either way the server will not let this user write.
        return abandon(Error{fmt::format("permission denied: the server refuses to create files in {}: {}",
                                         folder.empty() ? "the store's folder" : folder, failure(sent).message),
                             false, ErrorKind::kDenied},
                       &sent);
      }
    }
    if (!sent.ok()) {
      Error error = failure(sent);
      // vsftpd answers a failed write(2) (full disk, quota) with a plain 451 after the transfer. All bytes went out;
      // if the server kept fewer, its storage refused them: no use retrying soon.
      if (sent.reply == 451 && sent.uploaded == source.size && source.size > 0) {
        const auto held = ftp->size(remote);
        if (held.found && held.bytes >= 0 && held.bytes < source.size) {
          error = Error{fmt::format("the server has no space left for it: it stored {} of the {} bytes sent ({})",
                                    held.bytes, source.size, error.message),
                        false, ErrorKind::kNoSpace};
        }
      }
      return abandon(error, &sent);
    }
    if (sent.uploaded != source.size) {
      return abandon(Error{fmt::format("sent {} of {} bytes", sent.uploaded, source.size), true}, nullptr);
    }
    // The server's view of the size: catches uploads that "succeeded" but left a short or empty file (vsftpd with
    // TLS 1.3 session-reuse trouble does exactly that).
    const auto held = curl_store::FtpRequests::size_reply(sent);
    if (held && *held != source.size) {
      return abandon(Error{fmt::format("the server holds {} of the {} bytes uploaded", *held, source.size), true},
                     nullptr);
    }
    if (temporary == name) return {};  // in place (put_file_in_place)
    const Outcome renamed = ftp->commands({"RNFR " + remote, "RNTO " + path(join(folder, name))});
    if (renamed.ok()) return {};
    Error error = failure(renamed);
    if (renamed.code == CURLE_QUOTE_ERROR) {
      error.message = fmt::format(
          "the server refused to rename the uploaded temporary to {}: {} (an FTP store needs "
          "a server whose RNTO replaces existing files, as vsftpd, ProFTPD and Pure-FTPd do)",
          name, error.message);
    }
    return abandon(error, &renamed);
  }

  // SFTP: upload (libcurl makes missing folders), stat check, then posix-rename on the side channel.
  Status put_attempt_sftp(const std::string& folder, const std::string& name, const std::string& temporary,
                          Source& source) {
    Transfer upload;
    upload.url = file_url(join(folder, temporary));
    upload.upload = true;
    upload.create_dirs = true;
    upload.upload_data = source.data;
    upload.upload_file = source.file;
    upload.upload_size = source.size;
    const Outcome sent = session->perform(upload);
    auto abandon = [&](Error error, const Outcome* outcome) {
      if (outcome == nullptr || !curl_store::failed_before_login(*outcome)) remove_temporary(folder, temporary);
      return error;
    };
    if (!sent.ok()) return abandon(failure(sent), &sent);
    if (sent.uploaded != source.size) {
      return abandon(Error{fmt::format("sent {} of {} bytes", sent.uploaded, source.size), true}, nullptr);
    }
    Transfer check;
    check.url = upload.url;
    check.nobody = true;
    const Outcome checked = session->perform(check);
    if (!checked.ok()) return abandon(failure(checked), &checked);
    if (checked.content_length >= 0 && checked.content_length != source.size) {
      return abandon(
          Error{fmt::format("the server holds {} of the {} bytes uploaded", checked.content_length, source.size), true},
          nullptr);
    }
    if (temporary == name) return {};  // in place (put_file_in_place)
    if (auto renamed = rename_sftp(path(join(folder, temporary)), path(join(folder, name))); !renamed) {
      return abandon(renamed.error(), nullptr);
    }
    return {};
  }

  // In place, the upload goes straight to the key's own name (no temporary, no rename).
  Status put_attempt(const std::string& key, Source& source, bool in_place) {
    const auto [folder, name] = split_key(key);
    const std::string temporary = in_place ? name : temporary_name(name);
    if (source.file != nullptr && std::fseek(source.file, 0, SEEK_SET) != 0)
      return Error{"cannot rewind the local file"};
    return sftp() ? put_attempt_sftp(folder, name, temporary, source)
                  : put_attempt_ftp(folder, name, temporary, source);
  }

  Status put(const std::string& key, Source& source, bool in_place = false) {
    if (auto valid = check_key(key); !valid) return valid;
    std::lock_guard<std::mutex> lock(mutex);
    return retrying<void>("put " + key, [&] { return put_attempt(key, source, in_place); });
  }

  // A download or listing: over FTP through `ftp`, which keeps track of the transfer type.
  Outcome transfer(Transfer& request) { return sftp() ? session->perform(request) : ftp->transfer(request); }

  // true: an object (SFTP: or a folder) is there. FTP asks SIZE alone; SFTP stats through libcurl.
  Result<bool> present_attempt(const std::string& key) {
    if (!sftp()) {
      const auto size = ftp->size(path(key));
      if (!size.outcome.ok()) return failure(size.outcome);
      return size.found;
    }
    Transfer probe;
    probe.url = file_url(key);
    probe.nobody = true;
    const Outcome outcome = session->perform(probe);
    const Failure failed = curl_store::classify(outcome, url.scheme);
    if (failed == Failure::kNone) return true;
    if (failed == Failure::kNotFound) return false;
    return failure(outcome);
  }

  Status remove_attempt(const std::string& key) {
    Transfer drop;
    drop.nobody = true;
    Outcome outcome;
    if (sftp()) {
      drop.url = curl_store::curl_url(url, "/", true);
      drop.quote = {"rm " + sftp_quoted(path(key))};
      outcome = session->perform(drop);
    } else {
      outcome = ftp->commands({"DELE " + path(key)});
    }
    const Failure failed = curl_store::classify(outcome, url.scheme);
    if (failed == Failure::kNone || failed == Failure::kNotFound) return {};
    if (outcome.code != CURLE_QUOTE_ERROR) return failure(outcome);
    // Removing what is already gone succeeds (as in the file store); the servers' reply does not say which it
    // was, so look. An object still there was refused to us.
    auto present = present_attempt(key);
    if (present.ok() && !present.value()) return {};
    Error error = failure(outcome);
    if (present.ok() && !error.transient) error.kind = ErrorKind::kDenied;
    return error;
  }

  Status remove_folder_attempt(const std::string& folder) {
    Transfer drop;
    drop.nobody = true;
    Outcome outcome;
    if (sftp()) {
      drop.url = curl_store::curl_url(url, "/", true);
      drop.quote = {"rmdir " + sftp_quoted(path(folder))};
      outcome = session->perform(drop);
    } else {
      outcome = ftp->commands({"RMD " + path(folder)});
    }
    const Failure failed = curl_store::classify(outcome, url.scheme);
    if (failed == Failure::kNone || failed == Failure::kNotFound) return {};
    if (outcome.code != CURLE_QUOTE_ERROR) return failure(outcome);
    // The reply does not say whether the folder was missing, still holds something, or was refused: look.
    std::string names;
    Transfer listing;
    listing.url = folder_url(folder);
    listing.list_only = true;
    listing.sink = &names;
    const Outcome listed = transfer(listing);
    if (curl_store::classify(listed, url.scheme) == Failure::kNotFound) return {};
    Error error = failure(outcome);
    if (!error.transient) {
      error.message = fmt::format("cannot remove the folder {}: {}", folder,
                                  names.empty() ? "refused: " + error.message : "it is not empty");
      if (names.empty()) error.kind = ErrorKind::kDenied;
    }
    return error;
  }
};

CurlStore::CurlStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlStore::~CurlStore() = default;

Result<std::unique_ptr<CurlStore>> CurlStore::open(const std::string& url_text, CurlStoreOptions options) {
  auto parsed = curl_store::parse_store_url(url_text);
  if (!parsed) return parsed.error();
  auto impl = std::make_unique<Impl>();
  impl->url = std::move(parsed.value());
  const curl_store::StoreUrl& url = impl->url;
  impl->shown = curl_store::display_url(url);
  auto bad = [&impl](const std::string& why) { return Error{fmt::format("store {}: {}", impl->shown, why)}; };
  auto checked = curl_store::checked_options(url, std::move(options));
  if (!checked) return bad(checked.error().message);
  options = std::move(checked.value());

  const bool ftps = url.scheme == Scheme::kFtps;
  const bool sftp = url.scheme == Scheme::kSftp;

  Credentials credentials;
  if (options.credentials) {
    credentials = *options.credentials;
    if (credentials.user.empty()) credentials.user = url.user;
  } else {
    auto found = resolve_credentials(url.bare_host, url.user);
    if (!found) return bad(found.error().message);
    credentials = found.value();
  }
  if (credentials.source.empty()) credentials.source = "the caller";

  curl_store::ConnectionSettings settings;
  settings.scheme = url.scheme;
  settings.user = credentials.user;
  settings.password = credentials.password;
  settings.credentials_source = credentials.source;
  settings.connect_timeout_ms = static_cast<long>(options.connect_timeout.count());
  settings.stall_timeout_s = std::max(1L, static_cast<long>((options.stall_timeout.count() + 999) / 1000));
  settings.operation_timeout_ms = static_cast<long>(options.operation_timeout.count());
  settings.known_hosts_name = url.port == 22 ? url.bare_host : fmt::format("[{}]:{}", url.bare_host, url.port);

  if (ftps) {
    settings.ca_file = options.ca_file;
    settings.pinned_public_key = options.pinned_public_key;
    settings.tls_max_12 = options.tls_max == "1.2";
  }
  if (sftp) {
    const std::string home = CredentialSources::from_process().home;
    if (settings.user.empty()) return bad("an sftp store needs a user: sftp://USER@host/path or DLI_STORE_USER");
    settings.known_hosts = options.known_hosts.empty() ? home + "/.ssh/known_hosts" : options.known_hosts;
    if (!readable_file(settings.known_hosts)) return bad(curl_store::known_hosts_unreadable(url, settings.known_hosts));
    if (!options.ssh_private_key.empty()) {
      settings.private_key = options.ssh_private_key;
    } else {
      for (const char* name : {"/.ssh/id_ed25519", "/.ssh/id_ecdsa"}) {
        if (readable_file(home + name)) {
          settings.private_key = home + name;
          break;
        }
      }
    }
    settings.public_key = options.ssh_public_key;
    if (settings.private_key.empty() && settings.password.empty()) {
      return bad("no SSH key (ssh_private_key, ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa) and no password for sftp");
    }
    if (options.sftp_posix_rename) {
      // The same server, login and known_hosts as libcurl's connection; never trust on first use.
      SshTarget target;
      target.address = url.bare_host;
      target.port = url.port;
      target.user = settings.user;
      target.password = settings.password;
      target.key_file = settings.private_key;
      target.public_key_file = settings.public_key;
      target.known_hosts = settings.known_hosts;
      const double timeout_seconds =
          static_cast<double>(std::max(settings.connect_timeout_ms, settings.stall_timeout_s * 1000)) / 1000;
      target.connect_timeout_seconds = timeout_seconds;
      impl->renamer = std::make_unique<curl_store::SftpPosixRename>(std::move(target), timeout_seconds);
    }
  }
  // With TLS 1.3, vsftpd's require_ssl_reuse=YES breaks data connections after the first on a control connection:
  // then each data transfer gets a fresh control connection.
  const bool fresh = ftps && options.tls_max == "1.3";
  impl->session = std::make_unique<curl_store::CurlSession>(std::move(settings), fresh);
  if (!sftp) impl->ftp = std::make_unique<curl_store::FtpRequests>(*impl->session, impl->folder_url(""));
  impl->options = std::move(options);
  impl->options.credentials.reset();  // the session holds what it needs; no second copy of the password
  return std::unique_ptr<CurlStore>(new CurlStore(std::move(impl)));
}

Result<std::string> CurlStore::get(const std::string& key) {
  if (auto valid = check_key(key); !valid) return valid.error();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto got = impl_->retrying<std::optional<std::string>>("get " + key, [&]() -> Result<std::optional<std::string>> {
    std::string data;
    Transfer download;
    download.url = impl_->file_url(key);
    download.sink = &data;
    // No SIZE before RETR: the server's "226 transfer complete" vouches for a whole object (get_file keeps SIZE,
    // whose check of the byte count costs nothing next to a model's transfer).
    download.ignore_size = true;
    const Outcome outcome = impl_->transfer(download);
    const Failure failed = curl_store::classify(outcome, impl_->url.scheme);
    if (failed == Failure::kNone) return std::optional<std::string>(std::move(data));
    if (failed == Failure::kNotFound) return std::optional<std::string>();
    return impl_->failure(outcome);
  });
  if (!got) return got.error();
  if (!got.value()) return Error{fmt::format("not found: {} (in {})", key, impl_->shown), false, ErrorKind::kNotFound};
  return std::move(*got.value());
}

Status CurlStore::put(const std::string& key, std::string_view data) {
  Source source;
  source.data = data;
  source.size = static_cast<std::int64_t>(data.size());
  return impl_->put(key, source);
}

Status CurlStore::put_file(const std::string& key, const std::string& local_path) {
  return put_local_file(key, local_path, /*in_place=*/false);
}

Status CurlStore::put_file_in_place(const std::string& key, const std::string& local_path) {
  return put_local_file(key, local_path, /*in_place=*/true);
}

Status CurlStore::make_folders(const std::vector<std::string>& folders) {
  if (impl_->sftp()) return {};  // SFTP uploads make their folders in the same request
  std::vector<std::string> remote;
  for (const auto& folder : folders) {
    if (auto valid = check_key(folder); !valid) return valid;
    remote.push_back(impl_->path(folder));
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->retrying<void>("make folders", [&]() -> Status {
    const Outcome made = impl_->ftp->make_folders_top_down(remote);
    if (made.ok()) return {};
    return impl_->failure(made);
  });
}

Status CurlStore::put_local_file(const std::string& key, const std::string& local_path, bool in_place) {
  std::FILE* file = std::fopen(local_path.c_str(), "rb");
  if (file == nullptr) return Error{fmt::format("cannot upload {} to {}: cannot open it", local_path, key)};
  struct stat info {};
  if (::fstat(::fileno(file), &info) != 0 || !S_ISREG(info.st_mode)) {
    std::fclose(file);
    return Error{fmt::format("cannot upload {} to {}: not a regular file", local_path, key)};
  }
  Source source;
  source.file = file;
  source.size = static_cast<std::int64_t>(info.st_size);
  Status status = impl_->put(key, source, in_place);
  std::fclose(file);
  return status;
}

Status CurlStore::get_file(const std::string& key, const std::string& local_path) {
  if (auto valid = check_key(key); !valid) return valid;
  // Downloaded next to the destination, renamed into place when complete: a partial file never has its name.
  const std::filesystem::path final_path = std::filesystem::absolute(local_path);
  std::error_code error;
  std::filesystem::create_directories(final_path.parent_path(), error);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  const std::string partial =
      (final_path.parent_path() / fmt::format(".{}.part.{:016x}", final_path.filename().string(), impl_->random()))
          .string();
  auto got = impl_->retrying<bool>("get " + key, [&]() -> Result<bool> {
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    std::FILE* file = fd >= 0 ? ::fdopen(fd, "wb") : nullptr;
    if (file == nullptr) {
      if (fd >= 0) ::close(fd);
      return Error{fmt::format("cannot write {}", partial)};
    }
    Transfer download;
    download.url = impl_->file_url(key);
    download.sink_file = file;
    const Outcome outcome = impl_->transfer(download);
    const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
    const int write_errno = download.sink_errno != 0 ? download.sink_errno : (flushed ? 0 : errno);
    std::fclose(file);
    if (write_errno == ENOSPC || write_errno == EDQUOT) {
      // This host's disk, not the store: no retry helps, and the caller may make room (docs/protocol.md 7).
      return Error{fmt::format("cannot write {}: {}", partial, std::strerror(write_errno)), false,
                   ErrorKind::kLocalNoSpace};
    }
    const Failure failed = curl_store::classify(outcome, impl_->url.scheme);
    if (failed == Failure::kNone && !flushed) return Error{fmt::format("cannot write {}", partial)};
    if (failed == Failure::kNone) return true;
    if (failed == Failure::kNotFound) return false;
    return impl_->failure(outcome);
  });
  if (!got || !got.value()) {
    ::unlink(partial.c_str());
    if (!got) return got.error();
    return Error{fmt::format("not found: {} (in {})", key, impl_->shown), false, ErrorKind::kNotFound};
  }
  if (::rename(partial.c_str(), final_path.c_str()) != 0) {
    ::unlink(partial.c_str());
    return Error{fmt::format("cannot write {}", local_path)};
  }
  return {};
}

Result<bool> CurlStore::exists(const std::string& key) {
  if (auto valid = check_key(key); !valid) return valid.error();
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->retrying<bool>("exists " + key, [&] { return impl_->present_attempt(key); });
}

Result<std::vector<std::string>> CurlStore::list(const std::string& folder) {
  if (!folder.empty()) {
    if (auto valid = check_key(folder); !valid) return valid.error();
  }
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->retrying<std::vector<std::string>>(
      "list " + (folder.empty() ? std::string("/") : folder), [&]() -> Result<std::vector<std::string>> {
        std::string text;
        Transfer listing;
        listing.url = impl_->folder_url(folder);
        listing.list_only = true;
        listing.sink = &text;
        const Outcome outcome = impl_->transfer(listing);
        const Failure failed = curl_store::classify(outcome, impl_->url.scheme);
        if (failed == Failure::kNotFound) return std::vector<std::string>{};
        if (failed != Failure::kNone) return impl_->failure(outcome);
        std::vector<std::string> names;
        std::size_t start = 0;
        while (start < text.size()) {
          std::size_t end = std::min(text.find('\n', start), text.size());
          std::string name = text.substr(start, end - start);
          if (!name.empty() && name.back() == '\r') name.pop_back();
          const std::size_t slash = name.rfind('/');  // some servers answer NLST with paths
          if (slash != std::string::npos) name = name.substr(slash + 1);
          // Dot names: ".", "..", and the temporaries of uploads in progress.
          if (!name.empty() && name.front() != '.') names.push_back(name);
          start = end + 1;
        }
        std::sort(names.begin(), names.end());
        return names;
      });
}

Status CurlStore::remove(const std::string& key) {
  if (auto valid = check_key(key); !valid) return valid;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->retrying<void>("remove " + key, [&] { return impl_->remove_attempt(key); });
}

Status CurlStore::remove_folder(const std::string& folder) {
  if (auto valid = check_key(folder); !valid) return valid;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->retrying<void>("remove folder " + folder, [&] { return impl_->remove_folder_attempt(folder); });
}

void CurlStore::disconnect() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->session->disconnect();
  if (impl_->renamer) impl_->renamer->disconnect();
}

std::string CurlStore::describe() const { return impl_->shown; }

std::uint64_t CurlStore::operation_count() const { return impl_->operations; }
std::uint64_t CurlStore::retry_count() const { return impl_->retries; }

std::uint64_t CurlStore::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->session->requests();
}

std::uint64_t CurlStore::connection_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->session->connections();
}

Result<std::unique_ptr<Store>> open_curl_store(const std::string& url, const CurlStoreOptions& options) {
  auto store = CurlStore::open(url, options);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(store.value()));
}

}  // namespace dli
