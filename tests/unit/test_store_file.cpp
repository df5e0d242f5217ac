// The file:// store: round trips, atomic replacement, listing, key validation, URLs.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "dli/store/store.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_store("file://" + dir.str("store"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened.value());
  }
  // Files in the store's folders whose names start with '.' (temporaries left behind).
  int hidden_files() const {
    int count = 0;
    if (!fs::exists(dir.str("store"))) return 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir.str("store"))) {
      count += entry.path().filename().string().front() == '.';
    }
    return count;
  }

  TempDir dir;
  std::unique_ptr<Store> store;
};

TEST_F(FileStoreTest, PutThenGetReturnsTheSameBytesAndCreatesFolders) {
  const std::string data("binary\0data\n\xff", 13);
  ASSERT_TRUE(store->put("runs/r1/hosts/h/status.json", data).ok());
  auto got = store->get("runs/r1/hosts/h/status.json");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), data);
  EXPECT_TRUE(fs::is_regular_file(dir.str("store/runs/r1/hosts/h/status.json")));
  EXPECT_EQ(hidden_files(), 0) << "no temporary file is left behind";
}

TEST_F(FileStoreTest, GetReturnsEmptyAndLargeObjectsWhole) {
  std::string large(300000, 'x');
  for (std::size_t i = 0; i < large.size(); i += 7) large[i] = static_cast<char>(i % 251);
  for (const std::string& data : {std::string(), std::string("1"), large}) {
    ASSERT_TRUE(store->put("runs/r1/object", data).ok());
    auto got = store->get("runs/r1/object");
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got.value(), data) << data.size();
  }
  EXPECT_TRUE(store->concurrent_gets());
}

TEST_F(FileStoreTest, PutReplacesAnExistingObject) {
  ASSERT_TRUE(store->put("a/b.json", "first, longer content").ok());
  ASSERT_TRUE(store->put("a/b.json", "second").ok());
  EXPECT_EQ(store->get("a/b.json").value(), "second");
  ASSERT_TRUE(store->put("a/b.json", "").ok());
  EXPECT_EQ(store->get("a/b.json").value(), "");
}

TEST_F(FileStoreTest, PutFileAndGetFileStreamLargeObjects) {
  std::string big(5 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
  const std::string source = dir.write("local/model.onnx", big);
  ASSERT_TRUE(store->put_file("models/abc", source).ok());
  const std::string copy = dir.str("elsewhere/deeper/copy.onnx");
  auto fetched = store->get_file("models/abc", copy);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_EQ(testing::read_file(copy), big);
  EXPECT_EQ(hidden_files(), 0);
}

TEST_F(FileStoreTest, PutFileOfAMissingLocalFileFailsNamingIt) {
  const auto sent = store->put_file("models/x", dir.str("no-such-file"));
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.error().message.find("no-such-file"), std::string::npos) << sent.error().message;
  EXPECT_FALSE(store->exists("models/x").value());
}

TEST_F(FileStoreTest, MissingKeysSayNotFound) {
  const auto got = store->get("runs/r1/manifest.json");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "not found: runs/r1/manifest.json");
  EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
  const auto fetched = store->get_file("models/none", dir.str("out"));
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().message, "not found: models/none");
  EXPECT_EQ(fetched.error().kind, ErrorKind::kNotFound);
  EXPECT_FALSE(fs::exists(dir.str("out")));
  auto present = store->exists("runs/r1/manifest.json");
  ASSERT_TRUE(present.ok());
  EXPECT_FALSE(present.value());
}

TEST_F(FileStoreTest, ExistsIsTrueForObjectsOnly) {
  ASSERT_TRUE(store->put("runs/r1/manifest.json", "{}").ok());
  EXPECT_TRUE(store->exists("runs/r1/manifest.json").value());
  EXPECT_FALSE(store->exists("runs/r1").value()) << "a folder is not an object";
  EXPECT_FALSE(store->get("runs/r1").ok());
}

TEST_F(FileStoreTest, ListGivesDirectChildrenSortedWithoutTemporaries) {
  ASSERT_TRUE(store->put("runs/b/manifest.json", "{}").ok());
  ASSERT_TRUE(store->put("runs/a/manifest.json", "{}").ok());
  ASSERT_TRUE(store->put("runs/c.json", "{}").ok());
  dir.write("store/runs/.c.json.tmp.123.abc", "partial");
  auto names = store->list("runs");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value(), (std::vector<std::string>{"a", "b", "c.json"}));
  EXPECT_EQ(store->list("").value(), (std::vector<std::string>{"runs"}));
  auto none = store->list("runs/none/results");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty());
}

TEST_F(FileStoreTest, ListOfAStoreNotYetCreatedIsEmpty) {
  auto names = store->list("runs");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names.value().empty());
  EXPECT_FALSE(fs::exists(dir.str("store"))) << "opening and reading create nothing";
}

TEST_F(FileStoreTest, RemoveDeletesAndIsIdempotent) {
  ASSERT_TRUE(store->put("a/b", "x").ok());
  ASSERT_TRUE(store->remove("a/b").ok());
  EXPECT_FALSE(store->exists("a/b").value());
  EXPECT_TRUE(store->remove("a/b").ok());
}

TEST_F(FileStoreTest, InvalidKeysAreRefusedByEveryOperation) {
  ASSERT_TRUE(store->put("safe", "x").ok());
  for (const std::string key : {"", "/etc/passwd", "a/../../b", "..", "a//b", "a/", "./a", "a/.hidden", ".tmp"}) {
    SCOPED_TRACE(key);
    const auto got = store->get(key);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(got.error().message.find("invalid store key"), std::string::npos) << got.error().message;
    EXPECT_FALSE(store->put(key, "x").ok());
    EXPECT_FALSE(store->put_file(key, dir.str("store/safe")).ok());
    EXPECT_FALSE(store->get_file(key, dir.str("copy")).ok());
    EXPECT_FALSE(store->exists(key).ok());
    EXPECT_FALSE(store->remove(key).ok());
    if (!key.empty()) {
      EXPECT_FALSE(store->list(key).ok());
    }
  }
  EXPECT_FALSE(fs::exists(dir.str("etc")));
  EXPECT_FALSE(fs::exists(dir.str("b")));
}

// A reader polling an object while a writer replaces it must only ever see one whole version.
TEST_F(FileStoreTest, ReadersNeverSeeAPartialOrMixedObject) {
  constexpr std::size_t kSize = 2 * 1024 * 1024;
  const std::string versions[] = {std::string(kSize, 'a'), std::string(kSize, 'b')};
  ASSERT_TRUE(store->put("runs/r/big", versions[0]).ok());
  std::atomic<bool> writing{true};
  std::atomic<int> reads{0}, bad{0};
  std::thread reader([&] {
    while (writing.load()) {
      auto got = store->get("runs/r/big");
      ++reads;
      const bool whole = got.ok() && (got.value() == versions[0] || got.value() == versions[1]);
      if (!whole) ++bad;
    }
  });
  for (int round = 0; round < 40; ++round) {
    ASSERT_TRUE(store->put("runs/r/big", versions[round % 2]).ok());
  }
  writing = false;
  reader.join();
  EXPECT_EQ(bad.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(hidden_files(), 0);
}

TEST(OpenStore, AcceptsAbsoluteFileUrlsAndDescribesThem) {
  auto opened = open_store("file:///tmp/some/store/");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened.value()->describe(), "file:///tmp/some/store");
  EXPECT_TRUE(open_store("FILE:///tmp/x").ok()) << "schemes are case-insensitive";
}

TEST(OpenStore, RefusesRelativeFilePaths) {
  auto opened = open_store("file://relative/store");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("absolute path"), std::string::npos) << opened.error().message;
  EXPECT_FALSE(open_store("file://").ok());
}

TEST(OpenStore, RefusesUnknownSchemes) {
  auto opened = open_store("gopher://user:secret@host/x");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message, "unsupported store URL scheme 'gopher' (supported: file, ftp, ftps, sftp)");
}

TEST(OpenStore, NetworkSchemesGoToTheCurlStoreWhichRefusesPasswordsInUrls) {
  for (const std::string url : {"ftp://user:secret@host/x", "FTPS://user:secret@host/x", "sftp://u:secret@h/x"}) {
    auto opened = open_store(url);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_EQ(opened.error().message.find("unsupported"), std::string::npos) << opened.error().message;
    EXPECT_EQ(opened.error().message.find("secret"), std::string::npos) << opened.error().message;
  }
}

TEST(OpenStore, RefusesMalformedUrls) {
  for (const std::string url : {"", "/tmp/store", "://x", "user:secret@host"}) {
    auto opened = open_store(url);
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_NE(opened.error().message.find("malformed store URL"), std::string::npos) << opened.error().message;
    EXPECT_EQ(opened.error().message.find("secret"), std::string::npos) << opened.error().message;
  }
}

TEST(RedactUrl, HidesPasswordsOnly) {
  EXPECT_EQ(redact_url("ftp://user:secret@host/x"), "ftp://user:***@host/x");
  EXPECT_EQ(redact_url("ftps://user:p%40ss@host:990/dir"), "ftps://user:***@host:990/dir");
  EXPECT_EQ(redact_url("ftps://us:er:p@ss@host"), "ftps://us:***@host");
  EXPECT_EQ(redact_url("ftp://user@host/x"), "ftp://user@host/x");
  EXPECT_EQ(redact_url("ftp://host:21/a@b:c"), "ftp://host:21/a@b:c");
  EXPECT_EQ(redact_url("file:///tmp/store"), "file:///tmp/store");
  EXPECT_EQ(redact_url("not a url"), "not a url");
}

}  // namespace
}  // namespace dli

namespace dli {
namespace {

class FileStoreFolders : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_store("file://" + dir.str("store"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened.value());
  }
  testing::TempDir dir;
  std::unique_ptr<Store> store;
};

TEST_F(FileStoreFolders, RemoveFolderTakesAnEmptyFolderOnlyAndAnAbsentOneIsFine) {
  ASSERT_TRUE(store->put("site/versions/v1/index.html", "page").ok());
  const auto refused = store->remove_folder("site/versions/v1");
  ASSERT_FALSE(refused.ok()) << "never recursive";
  EXPECT_TRUE(std::filesystem::exists(dir.str("store/site/versions/v1/index.html")));
  ASSERT_TRUE(store->remove("site/versions/v1/index.html").ok());
  ASSERT_TRUE(store->remove_folder("site/versions/v1").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.str("store/site/versions/v1")));
  EXPECT_TRUE(store->remove_folder("site/versions/v1").ok()) << "already gone";
  EXPECT_FALSE(store->remove_folder("../outside").ok()) << "keys are checked";
}

}  // namespace
}  // namespace dli
