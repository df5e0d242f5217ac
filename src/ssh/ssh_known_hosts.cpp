#include "ssh_known_hosts.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "dli/ssh/host_key_scan.hpp"
#include "dli/ssh/host_key_text.hpp"

namespace dli::ssh_detail {
namespace {

struct KnownHostsFree {
  void operator()(LIBSSH2_KNOWNHOSTS* hosts) const { libssh2_knownhost_free(hosts); }
};
using KnownHosts = std::unique_ptr<LIBSSH2_KNOWNHOSTS, KnownHostsFree>;

// Line by line rather than libssh2_knownhost_readfile: that stops at the first line it cannot parse
// (@cert-authority, security-key types), silently hiding every entry after it.
KnownHosts load(LIBSSH2_SESSION* session, const std::string& path) {
  KnownHosts hosts(libssh2_knownhost_init(session));
  if (!hosts) return hosts;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    (void)libssh2_knownhost_readline(hosts.get(), line.data(), line.size(), LIBSSH2_KNOWNHOST_FILE_OPENSSH);
  }
  return hosts;
}

std::string host_and_port(const SshTarget& target) { return fmt::format("{}:{}", target.address, target.port); }

struct KeyType {
  int hostkey_type;   // LIBSSH2_HOSTKEY_TYPE_*
  int knownhost_bit;  // LIBSSH2_KNOWNHOST_KEY_*
  const char* method;
};
constexpr KeyType kKeyTypes[] = {
    {LIBSSH2_HOSTKEY_TYPE_ED25519, LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_256, LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_384, LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {LIBSSH2_HOSTKEY_TYPE_ECDSA_521, LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {LIBSSH2_HOSTKEY_TYPE_RSA, LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"},
    {LIBSSH2_HOSTKEY_TYPE_DSS, LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"},
};

const KeyType* by_hostkey_type(int type) {
  for (const auto& key_type : kKeyTypes) {
    if (key_type.hostkey_type == type) return &key_type;
  }
  return nullptr;
}

const KeyType* by_method(const std::string& method) {
  for (const auto& key_type : kKeyTypes) {
    if (method == key_type.method) return &key_type;
  }
  return nullptr;
}

int typemask_of(const KeyType& type) {
  return LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type.knownhost_bit;
}

// As `ssh-keygen -lf` prints it, so a person can compare it with the host's own key.
std::string fingerprint(LIBSSH2_SESSION* session) {
  const char* hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
  if (hash == nullptr) return "(no fingerprint)";
  return "SHA256:" + base64_encode(std::string_view(hash, 32), false);
}

Error refused(std::string message) { return Error{std::move(message), false, ErrorKind::kHostKeyRefused}; }

// Appends one entry under an exclusive lock, re-checking first: parallel sessions (threads or integrators)
// may be recording the same host at the same moment. `comment` says who recorded it.
Status record(LIBSSH2_SESSION* session, const SshTarget& target, std::string_view key, const KeyType& type,
              const std::string& comment) {
  const std::filesystem::path path(target.known_hosts);
  std::error_code ignored;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ignored);
  const int fd = ::open(target.known_hosts.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return refused(fmt::format("cannot record host key of {} in {}: {}", host_and_port(target),
                                         target.known_hosts, std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }  // also releases the lock
  } closer{fd};
  if (::flock(fd, LOCK_EX) != 0) return refused(fmt::format("cannot lock {}: {}", target.known_hosts, std::strerror(errno)));

  KnownHosts current = load(session, target.known_hosts);
  if (!current) return refused("libssh2_knownhost_init failed");
  const int check = libssh2_knownhost_checkp(current.get(), target.address.c_str(), target.port, key.data(),
                                             key.size(), typemask_of(type), nullptr);
  if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH) return {};
  if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
    return refused(fmt::format("host key for {} changed (possible man-in-the-middle); known_hosts: {}",
                               host_and_port(target), target.known_hosts));
  }
  std::string text = known_hosts_line(target.address, target.port, type.method, key);
  text.insert(text.size() - 1, " " + comment);
  // Keep the file's last line intact when it lacks a final newline.
  const off_t size = ::lseek(fd, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n') text.insert(0, "\n");
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return refused(fmt::format("cannot write {}: {}", target.known_hosts, std::strerror(errno)));
  }
  return {};
}

struct SessionFree {
  void operator()(LIBSSH2_SESSION* session) const { libssh2_session_free(session); }
};
// libssh2 parses known_hosts only through a session's object; an unconnected one serves.
using BareSession = std::unique_ptr<LIBSSH2_SESSION, SessionFree>;

}  // namespace

std::string preferred_hostkey_methods(LIBSSH2_SESSION* session, const SshTarget& target) {
  if (target.known_hosts.empty()) return {};
  KnownHosts hosts = load(session, target.known_hosts);
  if (!hosts) return {};
  // Probe each type with a key that cannot match: MISMATCH means an entry of that type exists for the host.
  // libssh2 does the name matching, hashed (HashKnownHosts) and "[addr]:port" entries included.
  static const char kNoKey[] = "not-a-key";
  std::vector<std::string> known;
  for (const auto& type : kKeyTypes) {
    const int typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type.knownhost_bit;
    if (libssh2_knownhost_checkp(hosts.get(), target.address.c_str(), target.port, kNoKey, sizeof kNoKey - 1,
                                 typemask, nullptr) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
      known.emplace_back(type.method);
    }
  }
  if (known.empty()) return {};

  const char** supported = nullptr;
  const int count = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &supported);
  std::vector<std::string> methods;
  for (int i = 0; i < count; ++i) {
    if (std::find(known.begin(), known.end(), supported[i]) != known.end()) methods.emplace_back(supported[i]);
  }
  for (int i = 0; i < count; ++i) {
    if (std::find(known.begin(), known.end(), supported[i]) == known.end()) methods.emplace_back(supported[i]);
  }
  if (supported != nullptr) libssh2_free(session, supported);
  std::string joined;
  for (const auto& method : methods) joined += (joined.empty() ? "" : ",") + method;
  return joined;
}

Status verify_host_key(LIBSSH2_SESSION* session, const SshTarget& target) {
  std::size_t key_size = 0;
  int hostkey_type = 0;
  const char* key = libssh2_session_hostkey(session, &key_size, &hostkey_type);
  if (key == nullptr) return refused(fmt::format("{} sent no host key", host_and_port(target)));
  const KeyType* type = by_hostkey_type(hostkey_type);
  if (type == nullptr) return refused(fmt::format("{} sent a host key of unknown type", host_and_port(target)));
  const std::string shown_key = fmt::format("{} {}", type->method, fingerprint(session));
  if (target.known_hosts.empty()) {
    return refused(fmt::format("no known_hosts file configured to verify {} ({})", host_and_port(target), shown_key));
  }

  KnownHosts hosts = load(session, target.known_hosts);
  if (!hosts) return refused("libssh2_knownhost_init failed");
  const int typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type->knownhost_bit;
  switch (libssh2_knownhost_checkp(hosts.get(), target.address.c_str(), target.port, key, key_size, typemask,
                                   nullptr)) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH: return {};
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      return refused(fmt::format("host key for {} changed (possible man-in-the-middle); known_hosts: {}; "
                                 "the host now offers {}",
                                 host_and_port(target), target.known_hosts, shown_key));
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      if (target.trust_on_first_use) {
        return record(session, target, std::string_view(key, key_size), *type, "dli-trust-on-first-use");
      }
      return refused(fmt::format("unknown host key for {} ({}) (add it to known_hosts {}, or allow trust on first "
                                 "use for this host)",
                                 host_and_port(target), shown_key, target.known_hosts));
    default: break;
  }
  return refused(fmt::format("cannot check the host key of {} against {}", host_and_port(target), target.known_hosts));
}

const char* hostkey_method_name(int hostkey_type) {
  const KeyType* type = by_hostkey_type(hostkey_type);
  return type == nullptr ? nullptr : type->method;
}

}  // namespace dli::ssh_detail

namespace dli {

using namespace ssh_detail;

KnownHostState known_host_state(const SshTarget& target, const ServerHostKey& key) {
  const KeyType* type = by_method(key.type);
  BareSession session(libssh2_session_init());
  if (type == nullptr || !session) return KnownHostState::kUnknown;
  KnownHosts hosts = load(session.get(), target.known_hosts);
  if (!hosts) return KnownHostState::kUnknown;
  switch (libssh2_knownhost_checkp(hosts.get(), target.address.c_str(), target.port, key.blob.data(),
                                   key.blob.size(), typemask_of(*type), nullptr)) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH: return KnownHostState::kKnown;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return KnownHostState::kChanged;
    default: return KnownHostState::kUnknown;
  }
}

Status record_host_key(const SshTarget& target, const ServerHostKey& key) {
  const KeyType* type = by_method(key.type);
  if (type == nullptr) return refused(fmt::format("host key of unknown type {}", key.type));
  BareSession session(libssh2_session_init());
  if (!session) return refused("libssh2_session_init failed");
  return record(session.get(), target, key.blob, *type, "dli-hosts-add");
}

}  // namespace dli
