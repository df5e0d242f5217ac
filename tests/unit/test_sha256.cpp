#include "dli/util/sha256.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

const std::string kMillionA(1000000, 'a');
const std::string kMillionADigest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

// Bytes that are not all alike, so that a block processed twice or out of order changes the digest.
std::string varied_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t state = 12345;
  for (auto& byte : bytes) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(kMillionA), kMillionADigest);
}

// Lengths around the 56-byte mark decide whether the length fits in the last block or needs one more.
TEST(Sha256, PaddingBoundaries) {
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(63, 'a')), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha256_hex(std::string(65, 'a')), "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
  EXPECT_EQ(sha256_hex(std::string(119, 'a')), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(sha256_hex(std::string(120, 'a')), "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

TEST(Sha256, IncrementalUpdatesMatchOneShotAtEverySplit) {
  const std::string message = varied_bytes(300);
  const std::string expected = sha256_hex(message);
  for (std::size_t split = 0; split <= message.size(); ++split) {
    Sha256 hash;
    hash.update(message.data(), split);
    hash.update(message.data() + split, message.size() - split);
    ASSERT_EQ(hash.hex_digest(), expected) << "split at " << split;
  }
}

TEST(Sha256, IncrementalUpdatesInAwkwardChunkSizes) {
  for (const std::size_t chunk : {1u, 3u, 55u, 63u, 64u, 65u, 127u, 1000u, 4099u}) {
    Sha256 hash;
    for (std::size_t at = 0; at < kMillionA.size(); at += chunk) {
      hash.update(std::string_view(kMillionA).substr(at, chunk));
    }
    EXPECT_EQ(hash.hex_digest(), kMillionADigest) << "chunks of " << chunk;
  }
}

TEST(Sha256, EmptyUpdatesChangeNothing) {
  Sha256 hash;
  hash.update("", 0);
  hash.update("ab");
  hash.update(nullptr, 0);
  hash.update("c");
  EXPECT_EQ(hash.hex_digest(), sha256_hex("abc"));
}

TEST(Sha256, FileHashEqualsHashOfItsBytes) {
  testing::TempDir dir;
  EXPECT_EQ(sha256_file_hex(dir.write("abc.bin", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file_hex(dir.write("empty.bin", "")), sha256_hex(""));
  const std::string big = varied_bytes(3 * 1024 * 1024 + 17);  // spans several read chunks, ends mid-block
  EXPECT_EQ(sha256_file_hex(dir.write("big.bin", big)), sha256_hex(big));
}

TEST(Sha256, FileHashOfMissingFileThrowsNamingIt) {
  testing::TempDir dir;
  const std::string missing = dir.str("missing.onnx");
  try {
    sha256_file_hex(missing);
    FAIL() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dli
