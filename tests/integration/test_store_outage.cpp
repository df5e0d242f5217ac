// The FTP store's server stopped for real (vsftpd and its sessions killed) in the middle of a run: while `run`
// uploads a large model, and while the agents publish results. Throughout, a watcher reads the server's folder:
// no object may ever be visible under its final key unless whole (uploads go to temporary names, then rename).
// Outcomes: with the server back within the store's retries (`?retries=&retry_delay=` in the URL), the run
// completes with every result once; with the server gone, the run ends with exit code 5 (store failure).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "dli/util/sha256.hpp"
#include "integration/fault_fixture.hpp"
#include "integration/store_watch.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

constexpr long kRate = 4L << 20;                 // bytes per second and session: the model upload takes ~4 s
constexpr std::size_t kModelBytes = 16u << 20;   // a "large model" at that rate
// The store's own retries (docs/stores.md): 0.5 s, then doubling: about 23 s in all, enough for an outage of 2 s.
constexpr const char* kPatientStore = "?retries=6&retry_delay=0.5";
constexpr auto kOutage = std::chrono::seconds(2);

class StoreOutage : public FleetFaults {
 protected:
  // Waits until the model's upload is under way: its temporary object on the server holds a few blocks.
  bool model_upload_in_flight() const {
    const fs::path models = fs::path(ftp_store_dir()) / "models";
    std::error_code error;
    for (fs::directory_iterator it(models, error), end; !error && it != end; it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (name.rfind("." + model_sha256_, 0) != 0) continue;
      std::error_code size_error;
      const std::uintmax_t size = fs::file_size(it->path(), size_error);
      if (!size_error && size >= (1u << 20)) return true;
    }
    return false;
  }
  // The watcher of the whole store, knowing the model's size.
  std::unique_ptr<StoreWatch> watch_store() {
    model_sha256_ = sha256_file_hex(model_path());
    return std::make_unique<StoreWatch>(ftp_store_dir(), std::map<std::string, std::uintmax_t>{
                                                             {model_sha256_, fs::file_size(model_path())}});
  }
  fs::path model_object() const { return fs::path(ftp_store_dir()) / "models" / model_sha256_; }

  // Results published so far on every host.
  std::size_t results_so_far(const std::string& run_id, int hosts) const {
    std::size_t count = 0;
    for (int i = 0; i < hosts; ++i) count += results_of(run_id, host_name(i)).size();
    return count;
  }

  std::string model_sha256_;
};

TEST_F(StoreOutage, AModelUploadCutByAStoreThatStaysDownFailsTheRunWithNoPartialModel) {
  start_ftp(false, kRate);
  write_null_sweep(/*hosts=*/1, /*launchers=*/1, /*sleep_ms=*/1, /*iterations=*/3, kModelBytes);
  auto watch = watch_store();
  auto run = start_run(ftp_url());
  ASSERT_TRUE(eventually([&] { return model_upload_in_flight(); }, std::chrono::seconds(60))) << run->output();
  ftp->stop();
  const auto stopped = std::chrono::steady_clock::now();

  const auto exit_code = run->wait_for_exit(std::chrono::seconds(120));
  std::printf("store stopped mid-upload: run ended %.1f s later\n", seconds_since(stopped));
  ASSERT_TRUE(exit_code.has_value()) << run->output();
  EXPECT_EQ(*exit_code, 5) << run->output();  // the store could not be written
  EXPECT_NE(run->output().find("put models/" + model_sha256_), std::string::npos) << run->output();
  EXPECT_EQ(watch->finish(), std::vector<std::string>{});
  EXPECT_GT(watch->scans(), 10);
  EXPECT_FALSE(fs::exists(model_object())) << "a model cut off mid-upload is under its final key";
  EXPECT_TRUE(wait_for_run(std::chrono::milliseconds(0)).empty()) << "no run may be published without its model";
}

TEST_F(StoreOutage, AModelUploadCutByAShortOutageIsRetriedAndTheRunCompletes) {
  start_ftp(false, kRate);
  write_null_sweep(/*hosts=*/1, /*launchers=*/1, /*sleep_ms=*/1, /*iterations=*/3, kModelBytes);
  auto watch = watch_store();
  const auto started = std::chrono::steady_clock::now();
  auto run = start_run(ftp_url() + kPatientStore);
  ASSERT_TRUE(eventually([&] { return model_upload_in_flight(); }, std::chrono::seconds(60))) << run->output();
  ftp->stop();
  std::this_thread::sleep_for(kOutage);  // the outage itself: its length is the point, not a wait for something
  ftp->restart();

  const auto exit_code = run->wait_for_exit(std::chrono::seconds(150));
  std::printf("store down %lld s mid-upload: run completed in %.1f s\n",
              static_cast<long long>(kOutage.count()), seconds_since(started));
  ASSERT_TRUE(exit_code.has_value()) << run->output();
  EXPECT_EQ(*exit_code, 0) << run->output();
  EXPECT_EQ(watch->finish(), std::vector<std::string>{});
  ASSERT_TRUE(fs::exists(model_object()));
  EXPECT_EQ(sha256_file_hex(model_object().string()), model_sha256_) << "the model in the store is not the model";
  const CsvTable csv(read_file(work.str("out/results.csv")));
  ASSERT_EQ(csv.size(), static_cast<std::size_t>(tests_per_host()));
  for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
}

TEST_F(StoreOutage, ResultUploadsThroughAShortOutageAreRetriedAndEveryResultLandsOnce) {
  start_ftp(false);
  write_null_sweep(/*hosts=*/2, /*launchers=*/4, /*sleep_ms=*/30, /*iterations=*/10);  // 8 tests of ~0.4 s a host
  auto watch = watch_store();
  const auto started = std::chrono::steady_clock::now();
  auto run = start_run(ftp_url() + kPatientStore);
  const std::string run_id = wait_for_run();
  ASSERT_FALSE(run_id.empty()) << run->output();
  ASSERT_TRUE(eventually([&] { return results_so_far(run_id, 2) >= 2; }, std::chrono::seconds(120)))
      << run->output();
  ftp->stop();
  const std::size_t before_outage = results_so_far(run_id, 2);
  std::this_thread::sleep_for(kOutage);
  ftp->restart();

  const auto exit_code = run->wait_for_exit(std::chrono::seconds(150));
  std::printf("store down %lld s after %zu results: run completed in %.1f s\n",
              static_cast<long long>(kOutage.count()), before_outage, seconds_since(started));
  ASSERT_TRUE(exit_code.has_value()) << run->output();
  EXPECT_EQ(*exit_code, 0) << run->output();
  EXPECT_EQ(watch->finish(), std::vector<std::string>{});
  EXPECT_GT(watch->objects_checked(), 0);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(results_of(run_id, host_name(i)), planned_ids(run_id, host_name(i)));
  const CsvTable csv(read_file(work.str("out/results.csv")));
  EXPECT_EQ(csv.size(), static_cast<std::size_t>(2 * tests_per_host()));
  EXPECT_EQ(duplicate_rows(csv), std::vector<std::string>{});
  for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
}

TEST_F(StoreOutage, AStoreThatStaysDownMidSweepEndsTheRunAsAStoreFailureAndResumeLosesNothing) {
  start_ftp(false);
  write_null_sweep(/*hosts=*/2, /*launchers=*/2, /*sleep_ms=*/30, /*iterations=*/10);  // 4 tests of ~0.4 s a host
  auto watch = watch_store();
  auto run = start_run(ftp_url(), "--store-patience", "15");
  const std::string run_id = wait_for_run();
  ASSERT_FALSE(run_id.empty()) << run->output();
  ASSERT_TRUE(eventually([&] { return results_so_far(run_id, 2) >= 1; }, std::chrono::seconds(120)))
      << run->output();
  ftp->stop();
  const auto stopped = std::chrono::steady_clock::now();

  // The integrator says the store is gone, waits its patience, then gives up with the store's exit code; the
  // agents keep what they measure meanwhile.
  const auto exit_code = run->wait_for_exit(std::chrono::seconds(180));
  std::printf("store stopped for good mid-sweep: the integrator gave up %.1f s later\n", seconds_since(stopped));
  ASSERT_TRUE(exit_code.has_value()) << run->output();
  EXPECT_EQ(*exit_code, 5) << run->output();
  EXPECT_NE(run->output().find("store unreachable"), std::string::npos) << run->output();
  EXPECT_NE(run->output().find("resume " + run_id), std::string::npos) << run->output();
  EXPECT_EQ(watch->finish(), std::vector<std::string>{});

  // The server is back: resume finds the agents still holding their spools (or publishes them itself), and every
  // planned test ends with exactly one result, all of them measured.
  ftp->restart();
  const auto began = std::chrono::steady_clock::now();
  const auto resumed = integrator("resume " + run_id + " --fleet " + shell_quote(work.str("fleet.yaml")) +
                                  " --store " + shell_quote(ftp_url()) + " --out " + shell_quote(work.str("resumed")) +
                                  " --no-progress");
  std::printf("resume after the store came back: %.1f s\n", seconds_since(began));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  const CsvTable csv(read_file(work.str("resumed/results.csv")));
  EXPECT_EQ(csv.size(), static_cast<std::size_t>(2 * tests_per_host()));
  EXPECT_EQ(duplicate_rows(csv), std::vector<std::string>{});
  for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
}

}  // namespace
}  // namespace dli::testing
