// The agent's model cache: content-addressed download, verification, reuse across runs.
#include "../../src/agent/model_cache.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "dli/protocol/protocol.hpp"
#include "dli/util/sha256.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

class ModelCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::move(open_store("file://" + dir.str("store")).value());
    content = std::string(300000, 'm') + "model";
    sha = sha256_hex(content);
    ASSERT_TRUE(store->put(layout::model(sha), content).ok());
  }
  std::string cached_path() const { return dir.str("work/models/" + sha + "/net.onnx"); }

  TempDir dir;
  std::unique_ptr<Store> store;
  std::string content;
  std::string sha;
};

TEST_F(ModelCacheTest, DownloadsVerifiesAndKeepsTheOriginalFileName) {
  ModelCache cache(*store, dir.str("work/models"));
  auto fetched = cache.fetch(sha, "net.onnx");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(fetched.value(), cached_path());
  EXPECT_EQ(read_file(fetched.value()), content);
  EXPECT_NE(read_file(cached_path() + ".verified").find(sha), std::string::npos);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir.str("work/models/" + sha))) {
    ++entries;
    EXPECT_NE(entry.path().filename().string().front(), '.') << "temporary left: " << entry.path();
  }
  EXPECT_EQ(entries, 2);
}

TEST_F(ModelCacheTest, ReusesAVerifiedCopyWithoutTheStore) {
  ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx").ok());
  ASSERT_TRUE(store->remove(layout::model(sha)).ok());
  ModelCache next_run(*store, dir.str("work/models"));
  auto fetched = next_run.fetch(sha, "net.onnx");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(read_file(fetched.value()), content);
}

TEST_F(ModelCacheTest, ReverifiesACopyWithoutMarker) {
  ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx").ok());
  fs::remove(cached_path() + ".verified");
  ASSERT_TRUE(store->remove(layout::model(sha)).ok());
  auto fetched = ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(fs::exists(cached_path() + ".verified")) << "the marker is written again after hashing";
}

TEST_F(ModelCacheTest, ADamagedCopyIsFetchedAgain) {
  ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx").ok());
  dir.write("work/models/" + sha + "/net.onnx", "truncated");  // size no longer matches the marker
  auto fetched = ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(read_file(cached_path()), content);
}

TEST_F(ModelCacheTest, AHashMismatchNamesBothHashesAndKeepsNothing) {
  const std::string claimed = sha256_hex("another model");
  ASSERT_TRUE(store->put(layout::model(claimed), content).ok());
  auto fetched = ModelCache(*store, dir.str("work/models")).fetch(claimed, "net.onnx");
  ASSERT_FALSE(fetched.ok());
  EXPECT_NE(fetched.error().message.find("sha256 mismatch"), std::string::npos) << fetched.error().message;
  EXPECT_NE(fetched.error().message.find("expected " + claimed), std::string::npos) << fetched.error().message;
  EXPECT_NE(fetched.error().message.find("got " + sha), std::string::npos) << fetched.error().message;
  EXPECT_FALSE(fs::exists(dir.str("work/models/" + claimed)));
}

TEST_F(ModelCacheTest, AModelMissingFromTheStoreIsAnError) {
  const std::string absent = sha256_hex("absent");
  auto fetched = ModelCache(*store, dir.str("work/models")).fetch(absent, "net.onnx");
  ASSERT_FALSE(fetched.ok());
  EXPECT_NE(fetched.error().message.find("not found: models/" + absent), std::string::npos)
      << fetched.error().message;
  EXPECT_FALSE(fs::exists(dir.str("work/models/" + absent)));
}

TEST_F(ModelCacheTest, RefusesNamesThatAreNotPlain) {
  ModelCache cache(*store, dir.str("work/models"));
  EXPECT_FALSE(cache.fetch("../../etc", "net.onnx").ok());
  EXPECT_FALSE(cache.fetch(std::string(64, 'A'), "net.onnx").ok()) << "hex digests are lower case";
  EXPECT_FALSE(cache.fetch(sha, "../net.onnx").ok());
  EXPECT_FALSE(cache.fetch(sha, "").ok());
  EXPECT_FALSE(cache.fetch(sha, "..").ok());
  EXPECT_FALSE(fs::exists(dir.str("work/models")));
}

}  // namespace
}  // namespace dli
