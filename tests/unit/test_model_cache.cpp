// The agent's model cache: content-addressed download, verification, reuse across runs.
#include "../../src/agent/model_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <limits>

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

// Sets every file of a cached model's folder, and the folder, to `hours` ago: a model last used then.
void age(const std::string& folder, int hours) {
  const timespec then{std::time(nullptr) - hours * 3600, 0};
  const timespec times[2] = {then, then};
  for (const auto& entry : fs::directory_iterator(folder)) ::utimensat(AT_FDCWD, entry.path().c_str(), times, 0);
  ::utimensat(AT_FDCWD, folder.c_str(), times, 0);
}

std::int64_t modified_at(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::int64_t>(info.st_mtim.tv_sec) : 0;
}

TEST_F(ModelCacheTest, UsingACachedModelMarksItUsed) {
  ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx").ok());
  age(dir.str("work/models/" + sha), 48);
  ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha, "net.onnx").ok());
  EXPECT_GE(modified_at(cached_path() + ".verified"), std::time(nullptr) - 60);
}

TEST_F(ModelCacheTest, MakingRoomRemovesOnlyIdleModelsThisRunDoesNotNeed) {
  const std::string other = std::string(200000, 'o');
  const std::string needed = std::string(100000, 'n');
  const std::string recent = std::string(50000, 'r');
  for (const std::string* bytes : {&other, &needed, &recent}) {
    ASSERT_TRUE(store->put(layout::model(sha256_hex(*bytes)), *bytes).ok());
    ASSERT_TRUE(ModelCache(*store, dir.str("work/models")).fetch(sha256_hex(*bytes), "net.onnx").ok());
  }
  age(dir.str("work/models/" + sha256_hex(other)), 30);
  age(dir.str("work/models/" + sha256_hex(needed)), 30);
  age(dir.str("work/models/" + sha256_hex(recent)), 0);

  ModelCache cache(*store, dir.str("work/models"));
  cache.set_needed({sha256_hex(needed)});
  EXPECT_EQ(cache.make_room(0), 0) << "nothing goes while there is room";
  EXPECT_EQ(cache.make_room(std::numeric_limits<std::uintmax_t>::max()), 1);
  EXPECT_FALSE(fs::exists(dir.str("work/models/" + sha256_hex(other))));
  EXPECT_TRUE(fs::exists(dir.str("work/models/" + sha256_hex(needed) + "/net.onnx")));
  EXPECT_TRUE(fs::exists(dir.str("work/models/" + sha256_hex(recent) + "/net.onnx")));
}

}  // namespace
}  // namespace dli
