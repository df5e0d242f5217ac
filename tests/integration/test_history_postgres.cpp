// The history database on a real PostgreSQL server started by the test (docs/history.md): the integrator records
// its runs there with the password only in a pgpass file; two runs make a series, importing a run again changes
// nothing, and a refused login costs the history only, without showing the password.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "dli/history/history.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/postgres_server.hpp"

namespace dli::testing {
namespace {

class HistoryPostgres : public SweepWorkspace {
 protected:
  PostgresServer server;

  void write_sweep() const {
    write_local_fleet();
    dir.write("sweep.yaml", "name: pg-history\nfleet: fleet.yaml\nmodels:\n  - name: digits\n    file: " +
                                model("digits_cnn.onnx") +
                                "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                                "batch_sizes: [1, 2]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 50, min_seconds: 0.05, max_cv: 0, timeout_seconds: 120}\n");
  }

  CommandOutput integrator_with(const std::string& pgpass, const std::string& arguments) const {
    return run_command("PGPASSFILE=" + shell_quote(pgpass) + " " + std::string(DLI_INTEGRATOR_EXE) + " " + arguments);
  }

  CommandOutput run_into(const std::string& pgpass, const std::string& history) const {
    return integrator_with(pgpass, "run " + shell_quote(dir.str("sweep.yaml")) + " --store " +
                                       shell_quote(store_url()) + " --out " + shell_quote(out_dir()) +
                                       " --no-progress --history " + shell_quote(history));
  }
};

TEST_F(HistoryPostgres, RunsAreRecordedOnTheServerAndImportingAgainChangesNothing) {
  write_sweep();
  const auto first = run_into(server.pgpass_file(), server.url());
  ASSERT_EQ(first.exit_code, 0) << first.output << server.log();
  const auto second = run_into(server.pgpass_file(), server.url());
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const std::string first_run = run_id_from(first.output), second_run = run_id_from(second.output);
  EXPECT_NE(first.output.find("History: "), std::string::npos) << first.output;

  const auto list = integrator_with(server.pgpass_file(), "history list --history " + shell_quote(server.url()));
  ASSERT_EQ(list.exit_code, 0) << list.output;
  ASSERT_NE(list.output.find(first_run + "  "), std::string::npos) << list.output;
  EXPECT_LT(list.output.find(first_run + "  "), list.output.find(second_run + "  ")) << "oldest first";

  // What the server holds, read by the superuser: two runs of two rows each, figures as numbers.
  EXPECT_EQ(server.psql("SELECT COUNT(*) FROM results WHERE figure > 0 AND status = 'ok';", "dli"), "4\n");
  const std::string before = server.psql("SELECT * FROM runs ORDER BY run_id; SELECT * FROM results ORDER BY "
                                         "run_id, host, test_id; SELECT * FROM hosts ORDER BY run_id, host;",
                                         "dli");
  const auto imported = integrator_with(server.pgpass_file(), "history import " + first_run + " --store " +
                                                                  shell_quote(store_url()) + " --history " +
                                                                  shell_quote(server.url()));
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(server.psql("SELECT * FROM runs ORDER BY run_id; SELECT * FROM results ORDER BY run_id, host, test_id; "
                        "SELECT * FROM hosts ORDER BY run_id, host;",
                        "dli"),
            before);

  // The same series through the library, as the site will read it.
  ::setenv("PGPASSFILE", server.pgpass_file().c_str(), 1);
  auto history = open_history(server.url());
  ::unsetenv("PGPASSFILE");
  ASSERT_TRUE(history) << history.error().message;
  const auto runs = history.value()->runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs.value().size(), 2u);
  EXPECT_EQ(runs.value()[0].ok, 2);
  const std::string test_id = server.psql("SELECT test_id FROM results ORDER BY test_id LIMIT 1;", "dli");
  const auto series = history.value()->series("local", test_id.substr(0, test_id.size() - 1));
  ASSERT_TRUE(series);
  ASSERT_EQ(series.value().size(), 2u);
  EXPECT_TRUE(series.value()[0].figure.has_value());
  EXPECT_EQ(series.value()[1].run_id, second_run);
  // Notifications are remembered on the server too (docs/notifications.md), once per key.
  const std::string key = "tests_failed:" + second_run;
  EXPECT_FALSE(history.value()->notification_sent(key).value());
  ASSERT_TRUE(history.value()->record_notification(key));
  ASSERT_TRUE(history.value()->record_notification(key)) << "telling it twice is not an error";
  EXPECT_TRUE(history.value()->notification_sent(key).value());
  EXPECT_EQ(server.psql("SELECT count(*) FROM notifications;", "dli"), "1\n");
}

TEST_F(HistoryPostgres, ARefusedLoginCostsOnlyTheHistoryAndNeverShowsThePassword) {
  write_sweep();
  const std::string wrong = dir.write("wrong-pgpass", "127.0.0.1:*:dli:dli:not-the-password\n");
  ::chmod(wrong.c_str(), 0600);
  const auto run = run_into(wrong, server.url());
  EXPECT_EQ(run.exit_code, 6) << run.output;
  EXPECT_NE(run.output.find("postgresql://dli@127.0.0.1"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("password authentication failed"), std::string::npos) << run.output;
  EXPECT_EQ(run.output.find(server.password()), std::string::npos);
  EXPECT_EQ(run.output.find("not-the-password"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.str("out/results.csv")));
}

}  // namespace
}  // namespace dli::testing
