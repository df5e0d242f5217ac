// posix-rename@openssh.com over a raw SFTP channel (store_curl_sftp_rename.hpp). SFTP packets (draft
// version 3): uint32 length, byte type, then the type's fields; strings are uint32 length + bytes.
#include "store_curl_sftp_rename.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "dli/ssh/ssh_channel.hpp"
#include "dli/ssh/ssh_session.hpp"

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

Error transient(std::string message) { return Error{std::move(message), true, ErrorKind::kProtocol}; }
Error permanent(std::string message, ErrorKind kind = ErrorKind::kOther) {
  return Error{std::move(message), false, kind};
}

// SFTP status codes (draft-ietf-secsh-filexfer): 3 in every version, 14 and 15 from version 5 on.
constexpr std::uint32_t kFxPermissionDenied = 3;
constexpr std::uint32_t kFxNoSpaceOnFilesystem = 14;
constexpr std::uint32_t kFxQuotaExceeded = 15;

ErrorKind kind_of_status(std::uint32_t code) {
  if (code == kFxPermissionDenied) return ErrorKind::kDenied;
  if (code == kFxNoSpaceOnFilesystem || code == kFxQuotaExceeded) return ErrorKind::kNoSpace;
  return ErrorKind::kOther;
}

}  // namespace

struct SftpPosixRename::Connection {
  SshSession session;  // declared first: the channel must be closed before its session
  SshChannel channel;
  double timeout_seconds;
  bool has_posix_rename = false;

  Connection(SshSession ssh, SshChannel sftp, double timeout)
      : session(std::move(ssh)), channel(std::move(sftp)), timeout_seconds(timeout) {}

  Status send_packet(unsigned char type, const std::string& payload) {
    std::string packet;
    put_u32(packet, static_cast<std::uint32_t>(payload.size() + 1));
    packet += static_cast<char>(type);
    packet += payload;
    return channel.write(packet, timeout_seconds);
  }

  // {type, payload}
  Result<std::pair<unsigned char, std::string>> read_packet() {
    auto header = channel.read(4, timeout_seconds);
    if (!header) return header.error();
    std::uint32_t size = 0;
    Reader(header.value()).u32(size);
    if (size < 1 || size > kMaxPacket) return transient(fmt::format("bad SFTP packet length {}", size));
    auto body = channel.read(size, timeout_seconds);
    if (!body) return body.error();
    return std::make_pair(static_cast<unsigned char>(body.value()[0]), body.value().substr(1));
  }
};

SftpPosixRename::SftpPosixRename(SshTarget target, double request_timeout_seconds)
    : target_(std::move(target)), request_timeout_seconds_(request_timeout_seconds) {}
SftpPosixRename::~SftpPosixRename() = default;

void SftpPosixRename::disconnect() { connection_.reset(); }

Status SftpPosixRename::connect() {
  auto session = SshSession::connect(target_);
  if (!session) return session.error();
  auto channel = session.value().open_subsystem("sftp", request_timeout_seconds_);
  if (!channel) return channel.error();
  auto connection = std::make_unique<Connection>(std::move(session).value(), std::move(channel).value(),
                                                 request_timeout_seconds_);
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
  if (code != 0) {
    return permanent(fmt::format("posix-rename {} -> {} failed: {} (SFTP status {})", from, to, message, code),
                     kind_of_status(code));
  }
  return true;
}

}  // namespace dli::curl_store
