// dli_collect_bench: how fast `dli-integrator collect` merges a large run, against a plain Python merge of the same
// files (docs/benchmarks.md, "Collect").
//
// For each size asked for (default 10,000 and 100,000 results, 1000 tests per host), a finished run is generated
// once in a file:// store under a temporary folder (support/generated_run.hpp), then, alternately, `rounds` times:
//   - tests/bench/collect_merge.py: json + csv modules, every result file read and written as one CSV line;
//   - the real `dli-integrator -v collect RUN --no-history` (child process), which writes results.csv,
//     results.json, results.html and changes.atom and logs how long each step took.
// Both once untimed first, so that both find the files in the page cache; each program writes where nothing is yet
// and starts with no dirty pages to flush (the last output removed, then sync(), untimed). Printed per size: the
// median wall time of each, the collect ratio (python / dli; goal >= 2), dli's step times (from its log) and the
// peak memory (max RSS, from wait4) of each child.
//
// usage: dli_collect_bench [--sizes 10000,100000] [--rounds 3] [--keep DIR]
// Exit code 0 when every command succeeded (a missed goal is a figure, not a failure), 1 otherwise, 2 on bad usage.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "support/generated_run.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

struct ChildRun {
  int exit_code = -1;
  double seconds = 0;
  long max_rss_kb = 0;
  std::string log;  // its stderr
};

// Runs argv with stdout discarded and stderr kept; wall time and the child's own max RSS (wait4).
ChildRun run_child(const std::vector<std::string>& argv, const fs::path& log_path) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null, 1);
    ::dup2(log, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ChildRun run;
  int status = 0;
  rusage usage{};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) != pid) return run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.max_rss_kb = usage.ru_maxrss;
  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  run.log = text.str();
  return run;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// dli's step times, from its log lines "collect timing: <step> <seconds> s" (main.cpp, collect.cpp).
std::map<std::string, double> step_times(const std::string& log) {
  static const std::regex line("collect timing: ([a-z+_.]+) ([0-9.]+) s");
  std::map<std::string, double> steps;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it) {
    steps[(*it)[1].str()] = std::stod((*it)[2].str());
  }
  return steps;
}

std::uint64_t folder_bytes(const fs::path& folder) {
  std::uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

bool bench_size(int results, int rounds, const fs::path& folder) {
  dli::testing::GeneratedRunShape shape;
  shape.run_id = fmt::format("20261130-000000-bench{}", results);
  shape.tests_per_host = std::min(results, 1000);
  shape.hosts = std::max(1, results / shape.tests_per_host);
  const fs::path store = folder / "store";
  const auto generating = std::chrono::steady_clock::now();
  dli::testing::generate_run(store.string(), shape);
  const double generated_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - generating).count();
  const int total = shape.hosts * shape.tests_per_host;
  std::cout << fmt::format("\n{} results ({} hosts x {} tests): generated in {:.1f} s, {:.0f} MiB of JSON in the "
                           "store\n",
                           total, shape.hosts, shape.tests_per_host, generated_s, mib(folder_bytes(store)))
            << std::flush;

  const fs::path out = folder / "out";
  const std::vector<std::string> python = {"python3", std::string(DLI_SOURCE_DIR) + "/tests/bench/collect_merge.py",
                                           store.string(), shape.run_id, (folder / "python.csv").string()};
  const std::vector<std::string> dli = {DLI_INTEGRATOR_EXE, "-v", "collect", shape.run_id, "--store",
                                        "file://" + store.string(), "--out", out.string(), "--no-history"};
  std::vector<double> python_s, dli_s;
  std::map<std::string, std::vector<double>> steps;
  long python_rss = 0, dli_rss = 0;
  for (int round = 0; round <= rounds; ++round) {  // round 0: untimed, fills the page cache
    // Both write into places that do not exist yet, as a night's collect does (dli-out/<run id>), and start with
    // nothing left to write back: replacing an earlier round's 1.2 GB, or the kernel flushing the generated store
    // on the same two cores, would time the kernel's work, not the merge's (docs/benchmarks.md).
    const auto fresh_start = [&] {
      fs::remove_all(out);
      fs::remove(folder / "python.csv");
      ::sync();
    };
    fresh_start();
    const ChildRun p = run_child(python, folder / "python.log");
    fresh_start();
    const ChildRun d = run_child(dli, folder / "dli.log");
    if (p.exit_code != 0) {
      std::cerr << "python merge failed (exit " << p.exit_code << "):\n" << p.log;
      return false;
    }
    if (d.exit_code != 0 && d.exit_code != 1) {  // 1: some generated tests failed, as planned
      std::cerr << "dli-integrator collect failed (exit " << d.exit_code << "):\n" << d.log;
      return false;
    }
    if (round == 0) continue;
    python_s.push_back(p.seconds);
    dli_s.push_back(d.seconds);
    python_rss = std::max(python_rss, p.max_rss_kb);
    dli_rss = std::max(dli_rss, d.max_rss_kb);
    for (const auto& [step, seconds] : step_times(d.log)) steps[step].push_back(seconds);
  }
  const double python_median = median(python_s), dli_median = median(dli_s);
  std::cout << fmt::format("  python merge (CSV):              {:7.3f} s   max RSS {:6.0f} MiB\n", python_median,
                           python_rss / 1024.0)
            << fmt::format("  dli-integrator collect (all):    {:7.3f} s   max RSS {:6.0f} MiB\n", dli_median,
                           dli_rss / 1024.0);
  std::string breakdown;
  for (const char* step : {"read+parse", "csv", "json", "page", "hosts", "feed"}) {  // as collect takes them
    const auto found = steps.find(step);
    if (found == steps.end()) continue;
    breakdown += fmt::format("{}{} {:.3f} s", breakdown.empty() ? "" : ", ", step, median(found->second));
  }
  std::cout << "  dli steps (median; csv and json are written while the page and the host pages are): "
            << (breakdown.empty() ? "(none logged)" : breakdown) << "\n";
  std::cout << fmt::format("  outputs: results.csv {:.1f} MiB, results.json {:.1f} MiB, results.html {:.1f} MiB\n",
                           mib(fs::file_size(out / "results.csv")),
                           fs::exists(out / "results.json") ? mib(fs::file_size(out / "results.json")) : 0.0,
                           mib(fs::file_size(out / "results.html")));
  std::cout << fmt::format("  collect ratio at {} results: {:.2f} (python / dli; goal >= 2)\n", total,
                           python_median / dli_median)
            << std::flush;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {10000, 100000};
  int rounds = 3;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "usage: dli_collect_bench [--sizes 10000,100000] [--rounds 3] [--keep DIR]\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--sizes") {
      sizes.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoi(item));
    } else if (arg == "--rounds") {
      rounds = std::max(1, std::stoi(value));
    } else if (arg == "--keep") {
      keep = value;
    } else {
      std::cerr << "unknown option " << arg << "\n";
      return 2;
    }
  }
  std::cout << "dli_collect_bench: `dli-integrator collect` against a plain Python merge, median of " << rounds
            << " rounds\n";
  bool ok = true;
  for (const int size : sizes) {
    dli::testing::TempDir temp;
    const fs::path folder = keep.empty() ? temp.path() : fs::path(keep) / std::to_string(size);
    if (!keep.empty()) fs::create_directories(folder);
    try {
      ok = bench_size(size, rounds, folder) && ok;
    } catch (const std::exception& error) {
      std::cerr << "collect bench at " << size << " results: " << error.what() << "\n";
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
