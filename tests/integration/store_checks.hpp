#pragma once
// Checks every network store must pass, shared by the FTP, FTPS and SFTP tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "dli/store/store.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

inline std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string data(size, '\0');
  for (char& c : data) c = static_cast<char>(random() & 0xff);
  return data;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Names under `root` (recursively) that look like the store's temporaries: none must survive an operation.
inline std::vector<std::string> leftover_temporaries(const std::string& root) {
  std::vector<std::string> found;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(root, error);
       it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    const std::string name = it->path().filename().string();
    if (contains(name, ".tmp.") || contains(name, ".part.")) found.push_back(it->path().string());
  }
  return found;
}

inline void check_small_round_trip(Store& store) {
  ASSERT_TRUE(store.put("hello.txt", "hello, store\n").ok());
  auto got = store.get("hello.txt");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "hello, store\n");

  // Missing parent folders are created.
  auto nested = store.put("runs/r1/hosts/h1/status.json", "{\"state\":\"running\"}");
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  got = store.get("runs/r1/hosts/h1/status.json");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "{\"state\":\"running\"}");

  ASSERT_TRUE(store.put("empty", "").ok());
  got = store.get("empty");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "");

  // Names that need escaping in URLs and quoting in FTP/SFTP commands.
  const std::string odd = "odd names/a b+c%d#e;f \"g\" \u00fc.json";
  ASSERT_TRUE(store.put(odd, "odd").ok());
  ASSERT_TRUE(store.put(odd, "odd 2").ok());
  got = store.get(odd);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "odd 2");
  auto odd_names = store.list("odd names");
  ASSERT_TRUE(odd_names.ok()) << odd_names.error().message;
  EXPECT_EQ(odd_names.value(), (std::vector<std::string>{odd.substr(odd.find('/') + 1)}));
  ASSERT_TRUE(store.remove(odd).ok());
  auto odd_exists = store.exists(odd);
  ASSERT_TRUE(odd_exists.ok()) << odd_exists.error().message;
  EXPECT_FALSE(odd_exists.value());

  const std::string binary = random_bytes(70'000, 7);
  ASSERT_TRUE(store.put("binary.bin", binary).ok());
  got = store.get("binary.bin");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got.value() == binary);
}

inline void check_large_file_round_trip(Store& store, std::size_t size) {
  TempDir local;
  const std::string data = random_bytes(size, 20);
  const std::string source = local.write("model.onnx", data);
  auto put = store.put_file("models/model.onnx", source);
  ASSERT_TRUE(put.ok()) << put.error().message;
  const std::string target = local.str("download/copy.onnx");
  auto fetched = store.get_file("models/model.onnx", target);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(read_file(target) == data);
  EXPECT_TRUE(leftover_temporaries(local.str()).empty());
  auto got = store.get("models/model.onnx");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value().size(), size);
}

inline void check_overwrite(Store& store) {
  ASSERT_TRUE(store.put("runs/r/status.json", "version 1, longer than the next").ok());
  auto second = store.put("runs/r/status.json", "version 2");
  ASSERT_TRUE(second.ok()) << second.error().message;
  auto got = store.get("runs/r/status.json");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "version 2");
  for (int i = 3; i <= 5; ++i) ASSERT_TRUE(store.put("runs/r/status.json", "version " + std::to_string(i)).ok());
  got = store.get("runs/r/status.json");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got.value(), "version 5");
}

inline void check_list(Store& store) {
  ASSERT_TRUE(store.put("a/x", "1").ok());
  ASSERT_TRUE(store.put("a/y", "2").ok());
  ASSERT_TRUE(store.put("a/sub/z", "3").ok());
  auto names = store.list("a");
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names.value(), (std::vector<std::string>{"sub", "x", "y"}));
  auto top = store.list("");
  ASSERT_TRUE(top.ok()) << top.error().message;
  EXPECT_NE(std::find(top.value().begin(), top.value().end(), "a"), top.value().end());
  ASSERT_TRUE(store.put("emptied/x", "1").ok());
  ASSERT_TRUE(store.remove("emptied/x").ok());
  auto emptied = store.list("emptied");
  ASSERT_TRUE(emptied.ok()) << emptied.error().message;
  EXPECT_TRUE(emptied.value().empty());
  auto missing = store.list("no/such/folder");
  ASSERT_TRUE(missing.ok()) << missing.error().message;
  EXPECT_TRUE(missing.value().empty());
}

inline void check_missing_keys(Store& store) {
  auto got = store.get("missing.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(contains(got.error().message, "not found")) << got.error().message;
  EXPECT_FALSE(got.error().transient);
  got = store.get("no/such/folder/missing.json");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(contains(got.error().message, "not found")) << got.error().message;

  TempDir local;
  auto file = store.get_file("missing.bin", local.str("out.bin"));
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(contains(file.error().message, "not found")) << file.error().message;
  EXPECT_FALSE(std::filesystem::exists(local.str("out.bin")));
  EXPECT_TRUE(leftover_temporaries(local.str()).empty());

  auto exists = store.exists("missing.json");
  ASSERT_TRUE(exists.ok()) << exists.error().message;
  EXPECT_FALSE(exists.value());
  exists = store.exists("no/such/folder/missing.json");
  ASSERT_TRUE(exists.ok()) << exists.error().message;
  EXPECT_FALSE(exists.value());
}

inline void check_exists_and_remove(Store& store) {
  ASSERT_TRUE(store.put("results/t1.json", "{}").ok());
  auto exists = store.exists("results/t1.json");
  ASSERT_TRUE(exists.ok()) << exists.error().message;
  EXPECT_TRUE(exists.value());
  auto removed = store.remove("results/t1.json");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  exists = store.exists("results/t1.json");
  ASSERT_TRUE(exists.ok()) << exists.error().message;
  EXPECT_FALSE(exists.value());
  // Removing what is gone succeeds, as in the file store.
  removed = store.remove("results/t1.json");
  EXPECT_TRUE(removed.ok()) << removed.error().message;
  removed = store.remove("no/such/folder/x");
  EXPECT_TRUE(removed.ok()) << removed.error().message;
}

inline void check_invalid_keys(Store& store) {
  for (const std::string key : {"../escape", "/absolute", "a/../b", ".hidden", "a//b", "line\nbreak"}) {
    EXPECT_FALSE(store.put(key, "x").ok()) << key;
    EXPECT_FALSE(store.get(key).ok()) << key;
  }
}

// A 1 MB object rewritten by `writer` while `reader` polls it: every read must be one complete version (right
// size, one fill byte throughout). `allow_not_found`: a read may also find no object. The writer goes on until
// the reader has made `min_reads` reads and `min_versions` versions were written (at most 2000 versions).
struct PublishCounts {
  int reads = 0;
  int not_found = 0;
  int versions_seen = 0;
  int versions_written = 0;
};

inline std::string version_payload(int version) {
  std::string data(1 << 20, static_cast<char>('A' + version % 26));
  const std::string header = "version " + std::to_string(version) + "\n";
  data.replace(0, header.size(), header);
  return data;
}

inline PublishCounts check_atomic_publish(Store& writer, Store& reader, bool allow_not_found, int min_reads = 60,
                                          int min_versions = 20) {
  PublishCounts counts;
  const std::string key = "runs/r/hosts/h/status.json";
  auto first = writer.put(key, version_payload(0));
  EXPECT_TRUE(first.ok()) << first.error().message;
  std::atomic<bool> done{false};
  std::atomic<bool> ready{false};
  std::atomic<int> reads{0};
  std::thread polling([&] {
    int last_version = -1;
    while (!done) {
      auto got = reader.get(key);  // the first one also connects, before the writer starts
      ready = true;
      ++reads;
      if (!got.ok()) {
        if (allow_not_found && contains(got.error().message, "not found")) {
          ++counts.not_found;
        } else {
          ADD_FAILURE() << "read failed: " << got.error().message;
        }
        continue;
      }
      const std::string& data = got.value();
      if (data.size() != (1u << 20)) {
        ADD_FAILURE() << "partial object: " << data.size() << " bytes";
        continue;
      }
      const int version = std::atoi(data.c_str() + 8);
      const char fill = static_cast<char>('A' + version % 26);
      if (data.find_first_not_of(fill, data.find('\n') + 1) != std::string::npos) {
        ADD_FAILURE() << "mixed object claiming version " << version;
      }
      if (version != last_version) ++counts.versions_seen;
      last_version = version;
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ready && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int version = 0;
  while (version < 2000 && (version < min_versions || reads < min_reads)) {
    auto put = writer.put(key, version_payload(++version));
    EXPECT_TRUE(put.ok()) << put.error().message;
  }
  done = true;
  polling.join();
  counts.reads = reads;
  counts.versions_written = version;
  auto last = reader.get(key);
  EXPECT_TRUE(last.ok() && last.value() == version_payload(version));
  return counts;
}

// Milliseconds per put of a small (status-sized) object, over `count` puts after one untimed put (which pays for
// the login, and on SFTP for the posix-rename channel).
inline double time_small_puts(Store& store, int count) {
  auto warm_up = store.put("runs/r/hosts/h/status.json", "{}");
  EXPECT_TRUE(warm_up.ok()) << warm_up.error().message;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    auto put = store.put("runs/r/hosts/h/status.json", "{\"state\":\"running\",\"done\":" + std::to_string(i) + "}");
    EXPECT_TRUE(put.ok()) << put.error().message;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / count;
}

inline double time_small_gets(Store& store, int count) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    auto got = store.get("runs/r/hosts/h/status.json");
    EXPECT_TRUE(got.ok()) << got.error().message;
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / count;
}

}  // namespace dli::testing
