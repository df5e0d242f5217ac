// posix-rename@openssh.com over a raw SFTP channel (src/store_curl_sftp_rename.hpp). SFTP packets (draft
// version 3): uint32 length, byte type, then the type's fields; strings are uint32 length + bytes.
#include "store_curl_sftp_rename.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string_view>

namespace dli::curl_store {

namespace {

constexpr unsigned char kFxpInit = 1;
constexpr unsigned char kFxpVersion = 2;
constexpr unsigned char kFxpStatus = 101;
constexpr unsigned char kFxpExtended = 200;
constexpr std::uint32_t kMaxPacket = 256 * 1024;  // replies here are tiny; anything larger is garbage
const char* const kPosixRename = "posix-rename@openssh.com";

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

void put_string(std::string& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text.data(), text.size());
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool u32(std::uint32_t& value) {
    if (data_.size() - pos_ < 4) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += 4;
    return true;
  }
  bool string(std::string& text) {
    std::uint32_t size = 0;
    if (!u32(size) || data_.size() - pos_ < size) return false;
    text.assign(data_.substr(pos_, size));
    pos_ += size;
    return true;
  }
  bool done() const { return pos_ == data_.size(); }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

Error transient(std::string message) { return Error{std::move(message), true}; }
Error permanent(std::string message) { return Error{std::move(message), false}; }

Result<int> connect_socket(const std::string& host, int port, long timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int code = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); code != 0) {
    return transient(fmt::format("cannot resolve {}: {}", host, ::gai_strerror(code)));
  }
  std::string last_error = "no address";
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    const int fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    // Non-blocking connect so that the timeout applies; blocking again afterwards for libssh2.
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int error = 0;
    if (::connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd waiting{fd, POLLOUT, 0};
        const int ready = ::poll(&waiting, 1, static_cast<int>(timeout_ms));
        socklen_t size = sizeof error;
        if (ready <= 0) {
          error = ready == 0 ? ETIMEDOUT : errno;
        } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
          error = errno;
        }
      }
    }
    if (error == 0) {
      ::fcntl(fd, F_SETFL, flags);
      // Small request, small reply: without this, Nagle's algorithm holds back a packet until the previous one
      // is acknowledged, and delayed ACKs make that tens of milliseconds.
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::freeaddrinfo(found);
      return fd;
    }
    last_error = std::strerror(error);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return transient(fmt::format("cannot connect to {} port {}: {}", host, port, last_error));
}

int known_host_key_bit(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
      return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
      return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
      return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
      return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
      return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
  }
}

const char* hostkey_method(int key_bits) {
  switch (key_bits & LIBSSH2_KNOWNHOST_KEY_MASK) {
    case LIBSSH2_KNOWNHOST_KEY_ED25519:
      return "ssh-ed25519";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_256:
      return "ecdsa-sha2-nistp256";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_384:
      return "ecdsa-sha2-nistp384";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_521:
      return "ecdsa-sha2-nistp521";
    case LIBSSH2_KNOWNHOST_KEY_SSHRSA:
      return "ssh-rsa";
    default:
      return nullptr;
  }
}

std::string known_hosts_name(const SshEndpoint& endpoint) {
  return endpoint.port == 22 ? endpoint.host : fmt::format("[{}]:{}", endpoint.host, endpoint.port);
}

}  // namespace

struct SftpPosixRename::Connection {
  int socket = -1;
  LIBSSH2_SESSION* session = nullptr;
  LIBSSH2_KNOWNHOSTS* known_hosts = nullptr;
  LIBSSH2_CHANNEL* channel = nullptr;
  bool has_posix_rename = false;

  ~Connection() {
    if (channel != nullptr) libssh2_channel_free(channel);
    if (known_hosts != nullptr) libssh2_knownhost_free(known_hosts);
    if (session != nullptr) {
      libssh2_session_disconnect(session, "done");
      libssh2_session_free(session);
    }
    if (socket >= 0) ::close(socket);
  }

  std::string last_error() const {
    char* message = nullptr;
    int length = 0;
    libssh2_session_last_error(session, &message, &length, 0);
    return message != nullptr && length > 0 ? std::string(message, static_cast<std::size_t>(length)) : "unknown";
  }

  Status write_all(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t wrote = libssh2_channel_write(channel, bytes.data() + done, bytes.size() - done);
      if (wrote < 0) return transient("SSH write failed: " + last_error());
      done += static_cast<std::size_t>(wrote);
    }
    return {};
  }

  Result<std::string> read_exact(std::size_t size) {
    std::string data(size, '\0');
    std::size_t done = 0;
    while (done < size) {
      const ssize_t got = libssh2_channel_read(channel, data.data() + done, size - done);
      if (got < 0) return transient("SSH read failed: " + last_error());
      if (got == 0 && libssh2_channel_eof(channel)) return transient("the server closed the SFTP channel");
      done += static_cast<std::size_t>(got);
    }
    return data;
  }

  Status send_packet(unsigned char type, const std::string& payload) {
    std::string packet;
    put_u32(packet, static_cast<std::uint32_t>(payload.size() + 1));
    packet += static_cast<char>(type);
    packet += payload;
    return write_all(packet);
  }

  // {type, payload}
  Result<std::pair<unsigned char, std::string>> read_packet() {
    auto header = read_exact(4);
    if (!header) return header.error();
    std::uint32_t size = 0;
    Reader(header.value()).u32(size);
    if (size < 1 || size > kMaxPacket) return transient(fmt::format("bad SFTP packet length {}", size));
    auto body = read_exact(size);
    if (!body) return body.error();
    return std::make_pair(static_cast<unsigned char>(body.value()[0]), body.value().substr(1));
  }
};

SftpPosixRename::SftpPosixRename(SshEndpoint endpoint) : endpoint_(std::move(endpoint)) {}
SftpPosixRename::~SftpPosixRename() = default;

Status SftpPosixRename::connect() {
  static std::once_flag initialised;
  std::call_once(initialised, [] { libssh2_init(0); });

  auto connection = std::make_unique<Connection>();
  auto socket = connect_socket(endpoint_.host, endpoint_.port, endpoint_.timeout_ms);
  if (!socket) return socket.error();
  connection->socket = socket.value();
  connection->session = libssh2_session_init();
  if (connection->session == nullptr) return transient("cannot create an SSH session");
  libssh2_session_set_blocking(connection->session, 1);
  libssh2_session_set_timeout(connection->session, endpoint_.timeout_ms);

  // Offer first the host key types known_hosts holds for this host, or libssh2 may negotiate another type
  // and then find no entry to compare with.
  connection->known_hosts = libssh2_knownhost_init(connection->session);
  if (libssh2_knownhost_readfile(connection->known_hosts, endpoint_.known_hosts.c_str(),
                                 LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
    return permanent(fmt::format("cannot read known_hosts file {}", endpoint_.known_hosts));
  }
  const std::string name = known_hosts_name(endpoint_);
  std::string methods;
  libssh2_knownhost* entry = nullptr;
  while (libssh2_knownhost_get(connection->known_hosts, &entry, entry) == 0) {
    const char* method = hostkey_method(entry->typemask);
    if (entry->name != nullptr && name == entry->name && method != nullptr &&
        methods.find(method) == std::string::npos) {
      methods += methods.empty() ? method : std::string(",") + method;
    }
  }
  if (!methods.empty()) libssh2_session_method_pref(connection->session, LIBSSH2_METHOD_HOSTKEY, methods.c_str());

  if (libssh2_session_handshake(connection->session, connection->socket) != 0) {
    return transient("SSH handshake failed: " + connection->last_error());
  }
  std::size_t key_size = 0;
  int key_type = 0;
  const char* key = libssh2_session_hostkey(connection->session, &key_size, &key_type);
  if (key == nullptr) return permanent("the server sent no host key");
  const int check = libssh2_knownhost_checkp(
      connection->known_hosts, endpoint_.host.c_str(), endpoint_.port == 22 ? -1 : endpoint_.port, key, key_size,
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | known_host_key_bit(key_type), nullptr);
  if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
    return permanent(
        fmt::format("the host key of {} differs from the one in {}: refused", name, endpoint_.known_hosts));
  }
  if (check != LIBSSH2_KNOWNHOST_CHECK_MATCH) {
    return permanent(fmt::format("the host key of {} is not in {}: refused", name, endpoint_.known_hosts));
  }

  int auth = -1;
  if (!endpoint_.private_key.empty()) {
    auth = libssh2_userauth_publickey_fromfile_ex(
        connection->session, endpoint_.user.c_str(), static_cast<unsigned>(endpoint_.user.size()),
        endpoint_.public_key.empty() ? nullptr : endpoint_.public_key.c_str(), endpoint_.private_key.c_str(), "");
  }
  if (auth != 0 && !endpoint_.password.empty()) {
    auth = libssh2_userauth_password_ex(connection->session, endpoint_.user.c_str(),
                                        static_cast<unsigned>(endpoint_.user.size()), endpoint_.password.c_str(),
                                        static_cast<unsigned>(endpoint_.password.size()), nullptr);
  }
  if (auth != 0) return permanent(fmt::format("SSH login as {} refused", endpoint_.user));

  connection->channel = libssh2_channel_open_session(connection->session);
  if (connection->channel == nullptr) return transient("cannot open an SSH channel: " + connection->last_error());
  if (libssh2_channel_subsystem(connection->channel, "sftp") != 0) {
    return permanent("the server refused the sftp subsystem: " + connection->last_error());
  }
  std::string init;
  put_u32(init, 3);
  if (auto sent = connection->send_packet(kFxpInit, init); !sent) return sent;
  auto version = connection->read_packet();
  if (!version) return version.error();
  if (version.value().first != kFxpVersion) return transient("unexpected SFTP reply to INIT");
  Reader reader(version.value().second);
  std::uint32_t number = 0;
  reader.u32(number);
  while (!reader.done()) {
    std::string extension, data;
    if (!reader.string(extension) || !reader.string(data)) break;
    if (extension == kPosixRename) connection->has_posix_rename = true;
  }
  connection_ = std::move(connection);
  return {};
}

Result<bool> SftpPosixRename::rename(const std::string& from, const std::string& to) {
  if (unsupported_) return false;
  if (!connection_) {
    if (auto connected = connect(); !connected) return connected.error();
  }
  if (!connection_->has_posix_rename) {
    unsupported_ = true;
    connection_.reset();
    return false;
  }
  const std::uint32_t id = ++request_id_;
  std::string payload;
  put_u32(payload, id);
  put_string(payload, kPosixRename);
  put_string(payload, from);
  put_string(payload, to);
  auto failed = [this](Error error) {
    connection_.reset();  // its state is unknown now: start afresh next time
    return error;
  };
  if (auto sent = connection_->send_packet(kFxpExtended, payload); !sent) return failed(sent.error());
  auto reply = connection_->read_packet();
  if (!reply) return failed(reply.error());
  Reader reader(reply.value().second);
  std::uint32_t reply_id = 0, code = 0;
  std::string message;
  if (reply.value().first != kFxpStatus || !reader.u32(reply_id) || reply_id != id || !reader.u32(code)) {
    return failed(transient("unexpected SFTP reply to posix-rename"));
  }
  reader.string(message);
  if (code != 0)
    return permanent(fmt::format("posix-rename {} -> {} failed: {} (SFTP status {})", from, to, message, code));
  return true;
}

}  // namespace dli::curl_store
