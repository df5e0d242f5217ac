#include "dli/ssh/host_key_text.hpp"

#include <string>

#include <fmt/format.h>

#include "dli/util/sha256.hpp"

namespace dli {

std::string base64_encode(std::string_view bytes, bool padded) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto byte = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[i])); };
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const bool has1 = i + 1 < bytes.size(), has2 = i + 2 < bytes.size();
    const unsigned chunk = (byte(i) << 16) | (has1 ? byte(i + 1) << 8 : 0u) | (has2 ? byte(i + 2) : 0u);
    text += kAlphabet[(chunk >> 18) & 63];
    text += kAlphabet[(chunk >> 12) & 63];
    if (has1) text += kAlphabet[(chunk >> 6) & 63];
    if (has2) text += kAlphabet[chunk & 63];
    if (padded && !has1) text += "==";
    if (padded && has1 && !has2) text += '=';
  }
  return text;
}

std::string ssh_fingerprint(std::string_view key_blob) {
  // Sha256 gives hex; the fingerprint encodes the 32 raw bytes.
  const std::string hex = sha256_hex(key_blob);
  std::string digest;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    digest += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return "SHA256:" + base64_encode(digest, false);
}

std::string known_hosts_name(const std::string& address, int port) {
  return port == 22 ? address : fmt::format("[{}]:{}", address, port);
}

std::string known_hosts_line(const std::string& address, int port, const std::string& key_type,
                             std::string_view key_blob) {
  return fmt::format("{} {} {}\n", known_hosts_name(address, port), key_type, base64_encode(key_blob, true));
}

bool same_fingerprint(std::string_view a, std::string_view b) {
  const auto bare = [](std::string_view text) {
    if (text.rfind("SHA256:", 0) == 0) text.remove_prefix(7);
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    return text;
  };
  return !bare(a).empty() && bare(a) == bare(b);
}

}  // namespace dli
