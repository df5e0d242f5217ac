#include "dli/ssh/host_key_text.hpp"

#include <string>

#include <gtest/gtest.h>

namespace dli {
namespace {

// The blob of an ed25519 public key (its .pub file's second field, decoded): ssh-keygen -lf printed the fingerprint.
std::string decoded(const std::string& base64) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : base64) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<unsigned>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return bytes;
}
const std::string kKeyBase64 = "AAAAC3NzaC1lZDI1NTE5AAAAIGy1KDPN2WDOednYLCY4P+LgbshApyuoBBtYMv3yBG4J";

TEST(HostKeyText, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo", false), "Zm8");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(HostKeyText, FingerprintIsWhatSshKeygenPrints) {
  EXPECT_EQ(ssh_fingerprint(decoded(kKeyBase64)), "SHA256:l+pTM2YtgdggAhlSFfmu5ZsL80CKw/urHjTaFOEws2Q");
  EXPECT_EQ(ssh_fingerprint(""), "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

TEST(HostKeyText, KnownHostsLineNamesNonDefaultPortsInBrackets) {
  const std::string blob = decoded(kKeyBase64);
  EXPECT_EQ(known_hosts_line("10.0.0.2", 22, "ssh-ed25519", blob), "10.0.0.2 ssh-ed25519 " + kKeyBase64 + "\n");
  EXPECT_EQ(known_hosts_line("10.0.0.2", 2222, "ssh-ed25519", blob),
            "[10.0.0.2]:2222 ssh-ed25519 " + kKeyBase64 + "\n");
  EXPECT_EQ(known_hosts_name("jetson-1.lab", 22), "jetson-1.lab");
  EXPECT_EQ(known_hosts_name("fe80::1", 2200), "[fe80::1]:2200");
}

TEST(HostKeyText, FingerprintsCompareWithOrWithoutPrefixAndPadding) {
  const std::string print = "SHA256:l+pTM2YtgdggAhlSFfmu5ZsL80CKw/urHjTaFOEws2Q";
  EXPECT_TRUE(same_fingerprint(print, print));
  EXPECT_TRUE(same_fingerprint("l+pTM2YtgdggAhlSFfmu5ZsL80CKw/urHjTaFOEws2Q=", print));
  EXPECT_FALSE(same_fingerprint("SHA256:l+pTM2YtgdggAhlSFfmu5ZsL80CKw/urHjTaFOEws2R", print));
  EXPECT_FALSE(same_fingerprint("", "SHA256:"));
  EXPECT_FALSE(same_fingerprint("SHA256:", "SHA256:"));
}

}  // namespace
}  // namespace dli
