// End-to-end: runs recorded in the history database by the real integrator (docs/history.md): two nights make a
// series, importing a run again changes nothing, and a history that cannot be written costs the history only.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sweep_fixture.hpp"
#include "support/history_dump.hpp"

namespace dli::testing {
namespace {

class History : public SweepWorkspace {
 protected:
  void write_sweep() const {
    write_local_fleet();
    dir.write("sweep.yaml", "name: e2e-history\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                                "batch_sizes: [1, 2]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 50, min_seconds: 0.05, max_cv: 0, timeout_seconds: 120}\n"
                                "capacity:\n  - {model: digits, streams: 2, fps: 5}\n");
  }
  std::string history_file() const { return dir.str("history.sqlite"); }
};

TEST_F(History, TwoRunsMakeASeriesAndImportingARunAgainChangesNothing) {
  write_sweep();
  const auto first = run_sweep("sweep.yaml");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // The default: beside the report folder (--out <dir>/out).
  EXPECT_NE(first.output.find("History: " + history_file()), std::string::npos) << first.output;
  const auto second = run_sweep("sweep.yaml");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const std::string first_run = run_id_from(first.output), second_run = run_id_from(second.output);

  const auto list = integrator("history list --history " + shell_quote(history_file()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const auto first_line = list.output.find(first_run + "  "), second_line = list.output.find(second_run + "  ");
  ASSERT_NE(first_line, std::string::npos) << list.output;
  ASSERT_NE(second_line, std::string::npos) << list.output;
  EXPECT_LT(first_line, second_line) << "oldest first";
  EXPECT_NE(list.output.find("2 ok of 2 results"), std::string::npos) << list.output;

  const std::string before = history_dump(history_file());
  const auto imported = integrator("history import " + first_run + " --store " + shell_quote(store_url()) +
                                   " --history " + shell_quote(history_file()));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_NE(imported.output.find("(run " + first_run + ", 2 tests)"), std::string::npos) << imported.output;
  EXPECT_EQ(history_dump(history_file()), before);
}

// A deliberately slowed night: the same test (same name, file name, shape, framework: the same id) gets a model four
// times as heavy, as a bad conversion would give it. The page, the feed and the exit code say so. Only VALID figures
// are compared: max_cv and max_busy_share 0, so that the other tests running meanwhile cannot make a night INVALID.
TEST_F(History, ADeliberatelySlowedRunIsFlaggedInThePageTheFeedAndTheExitCode) {
  write_local_fleet();
  dir.write("sweep.yaml", "name: e2e-slowed\nfleet: fleet.yaml\nmodels:\n  - name: net\n    file: net.onnx\n"
                          "    format: onnx\n    input_shape: [3, 224, 224]\nlaunchers: [opencv-dnn]\n"
                          "batch_sizes: [1]\nmodes: [sync]\nthreads: [2]\n"
                          "measure: {iterations: 20, min_seconds: 0.2, warmup_iterations: 2, max_cv: 0, "
                          "max_busy_share: 0, timeout_seconds: 300}\n");
  const auto night = [&](const std::string& model_file, const std::string& extra) {
    std::filesystem::copy_file(model(model_file), dir.str("net.onnx"),
                               std::filesystem::copy_options::overwrite_existing);
    return integrator("run " + shell_quote(dir.str("sweep.yaml")) + " --store " + shell_quote(store_url()) +
                      " --out " + shell_quote(out_dir()) + " --no-progress " + extra);
  };
  // Two usual nights (without the flag: on a loaded machine the second may differ from the first by more than
  // their unknown noise allows, and that is not what this test is about).
  for (int i = 0; i < 2; ++i) {
    const auto usual = night("mobilenet_v2.onnx", "");
    ASSERT_EQ(usual.exit_code, 0) << usual.output;
  }
  const auto slowed = night("resnet50.onnx", "--fail-on-regression");
  EXPECT_EQ(slowed.exit_code, 7) << slowed.output;
  EXPECT_NE(slowed.output.find("(1 regressed, 0 improved against earlier runs)"), std::string::npos) << slowed.output;
  const std::string csv = read_file(dir.str("out/results.csv"));
  EXPECT_NE(csv.find(",regressed,-"), std::string::npos) << csv;
  const std::string page = read_file(dir.str("out/results.html"));
  EXPECT_NE(page.find("<h2>Changes since earlier runs</h2>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"regressed\">regressed</td>"), std::string::npos);
  EXPECT_NE(read_file(dir.str("out/hosts/local.html")).find("<tr><th>Change</th><td>regressed: -"), std::string::npos);
  const std::string feed = read_file(dir.str("out/changes.atom"));
  EXPECT_NE(feed.find("<title>regressed -"), std::string::npos) << feed;
  EXPECT_NE(feed.find("net/opencv-dnn/b1/sync/t2 on local"), std::string::npos) << feed;
  // Without the flag the same night is reported, and the exit code is the run's own.
  const auto reported = night("resnet50.onnx", "");
  EXPECT_EQ(reported.exit_code, 0) << reported.output;
}

// Two nights published as a site: the index (latest first), each run's page with its downloads, a trend page per
// series; publishing again swaps the whole site at once and keeps the version before.
TEST_F(History, TwoRunsArePublishedAsASiteWithATrendPerSeries) {
  write_sweep();
  const auto first = run_sweep("sweep.yaml");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto second = run_sweep("sweep.yaml");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const std::string first_run = run_id_from(first.output), second_run = run_id_from(second.output);
  const std::string site = dir.str("site");
  const auto published = integrator("publish " + shell_quote(site) + " --history " + shell_quote(history_file()));
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_NE(published.output.find("(2 runs, 2 series pages)"), std::string::npos) << published.output;
  ASSERT_TRUE(std::filesystem::is_symlink(site));
  const std::string index = read_file(site + "/index.html");
  // Whole link texts: two runs in one second have ids X and X-2.
  ASSERT_NE(index.find(">" + second_run + "<"), std::string::npos) << index;
  EXPECT_LT(index.find(">" + second_run + "<"), index.find(">" + first_run + "<")) << "latest first";
  for (const char* file : {"index.html", "results.csv", "results.json", "changes.atom"}) {
    EXPECT_TRUE(std::filesystem::exists(site + "/runs/" + second_run + "/" + file)) << file;
  }
  const std::string run_page = read_file(site + "/runs/" + second_run + "/index.html");
  // The sweep's capacity question, answered on the run's page from the history and on the page beside the reports.
  const std::string question = "<h3>2 streams at 5 frames/s each of digits (10 frames/s)</h3>\n<p>";
  EXPECT_NE(run_page.find(question), std::string::npos) << run_page;
  EXPECT_NE(read_file(out_dir() + "/results.html").find(question), std::string::npos);
  EXPECT_NE(run_page.find("href=\"hosts/local.html\""), std::string::npos) << "the run page links its host's page";
  const std::string host_page = read_file(site + "/runs/" + second_run + "/hosts/local.html");
  const auto link = host_page.find("href=\"../../../series/local/");
  ASSERT_NE(link, std::string::npos) << "each test links to its trend";
  const std::string target = host_page.substr(link + 6, host_page.find('"', link + 6) - link - 6);
  const std::string series = read_file(site + "/runs/" + second_run + "/hosts/" + target);
  EXPECT_NE(series.find("<svg"), std::string::npos);
  EXPECT_NE(series.find(first_run), std::string::npos);
  EXPECT_NE(series.find(second_run), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(site + "/feed.atom"));

  const std::string before = std::filesystem::read_symlink(site).string();
  const auto again = integrator("publish " + shell_quote(site) + " --history " + shell_quote(history_file()));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const std::string after = std::filesystem::read_symlink(site).string();
  EXPECT_NE(after, before);
  EXPECT_TRUE(std::filesystem::exists(before)) << "the version a reader may still be on is kept";
  const auto third = integrator("publish " + shell_quote(site) + " --history " + shell_quote(history_file()));
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_FALSE(std::filesystem::exists(before)) << "older versions are removed";

  std::filesystem::create_directories(dir.str("plain"));
  const auto refused = integrator("publish " + shell_quote(dir.str("plain")) + " --history " +
                                  shell_quote(history_file()));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("is not a site published by dli"), std::string::npos) << refused.output;
}

// The reports are written and the run stays in the store; the exit code says only the history failed.
TEST_F(History, AHistoryThatCannotBeWrittenCostsOnlyTheHistory) {
  write_sweep();
  std::filesystem::create_directories(dir.str("not-a-file.sqlite"));  // a folder where the database should be
  const auto run = integrator("run " + shell_quote(dir.str("sweep.yaml")) + " --store " + shell_quote(store_url()) +
                              " --out " + shell_quote(out_dir()) + " --no-progress --history " +
                              shell_quote(dir.str("not-a-file.sqlite")));
  EXPECT_EQ(run.exit_code, 6) << run.output;
  EXPECT_TRUE(std::filesystem::exists(dir.str("out/results.csv")));
  EXPECT_NE(run.output.find("not-a-file.sqlite"), std::string::npos) << run.output;
  const auto later = integrator("history import " + run_id_from(run.output) + " --store " + shell_quote(store_url()) +
                                " --history " + shell_quote(history_file()));
  EXPECT_EQ(later.exit_code, 0) << later.output;
}

}  // namespace
}  // namespace dli::testing
