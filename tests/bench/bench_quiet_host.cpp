// The agent's disturbance of the test it measures (issue 7, item 5): the same real test (OpenCV DNN, mobilenet_v2,
// batch 1, one thread, 3 s), run by the real integrator and agent on this machine with a file:// store, with the agent's heartbeat
// at its fastest (every 0.1 s between tests, every 0.25 s while a test measures: `--heartbeat 0.1 --lost-after 1`)
// and at its quietest (the defaults: 5 s, 15 s while measuring), alternately, five times each. Prints both medians
// of the tests' median latencies and their ratio (goal: within 1 %), the median of the five pairs' own ratios (a
// pair runs back to back, so a slow drift of the machine cancels within it), and the ratio of the mean latencies.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// A column of the one test of a run's results.csv; -1 when it did not measure.
double figure(const std::string& csv_path, const std::string& column) {
  std::ifstream in(csv_path);
  std::string header, row;
  if (!std::getline(in, header) || !std::getline(in, row)) return -1;
  const auto names = csv_fields(header);
  const auto values = csv_fields(row);
  const auto at = std::find(names.begin(), names.end(), column);
  const auto index = static_cast<std::size_t>(at - names.begin());
  if (at == names.end() || index >= values.size() || values[index].empty()) return -1;
  return std::stod(values[index]);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

constexpr int kPairs = 5;

void BM_QuietHost(benchmark::State& state) {
  char pattern[] = "/tmp/dli-bench-quiet-XXXXXX";
  const fs::path dir = ::mkdtemp(pattern);
  std::ofstream(dir / "fleet.yaml") << "hosts:\n  - name: local\n    kind: local\n    work_dir: " << (dir / "agent").string()
                                    << "\n";
  std::ofstream(dir / "sweep.yaml") << "name: quiet-host\nfleet: fleet.yaml\nmodels:\n"
                                    << "  - {name: mobilenet_v2, file: " << DLI_MODELS_DIR << "/mobilenet_v2.onnx"
                                    << ", format: onnx, input_shape: [3, 224, 224]}\n"
                                    << "launchers: [opencv-dnn]\nbatch_sizes: [1]\nmodes: [sync]\nthreads: [1]\n"
                                    << "measure: {iterations: 100, min_seconds: 3, warmup_iterations: 10, max_cv: 0}\n";
  std::vector<double> fast, quiet, fast_mean, quiet_mean;
  for (auto _ : state) {
    for (int pair = 0; pair < kPairs; ++pair) {
      for (const bool noisy : {true, false}) {
        const fs::path out = dir / ("out-" + std::to_string(pair) + (noisy ? "-fast" : "-quiet"));
        const std::string command = std::string(DLI_INTEGRATOR_EXE) + " run " + (dir / "sweep.yaml").string() +
                                    " --store file://" + (dir / "store").string() + " --out " + out.string() +
                                    " --no-progress --no-history" + (noisy ? " --heartbeat 0.1 --lost-after 1" : "") +
                                    " > " + (out.string() + ".log") + " 2>&1";
        if (std::system(command.c_str()) != 0) {
          state.SkipWithError(("sweep failed: see " + out.string() + ".log").c_str());
          return;
        }
        const double latency = figure((out / "results.csv").string(), "latency_ms");
        const double mean = figure((out / "results.csv").string(), "mean_ms");
        if (latency <= 0 || mean <= 0) {
          state.SkipWithError("no latency measured");
          return;
        }
        (noisy ? fast : quiet).push_back(latency);
        (noisy ? fast_mean : quiet_mean).push_back(mean);
      }
    }
  }
  const double fast_ms = median(fast), quiet_ms = median(quiet);
  state.counters["fast_heartbeat_ms"] = fast_ms;
  state.counters["quiet_heartbeat_ms"] = quiet_ms;
  state.counters["ratio"] = quiet_ms > 0 ? fast_ms / quiet_ms : 0;  // goal: within 1 % of 1
  std::vector<double> pair_ratios;
  for (std::size_t i = 0; i < fast.size() && i < quiet.size(); ++i) pair_ratios.push_back(fast[i] / quiet[i]);
  state.counters["pair_ratio"] = median(pair_ratios);
  // The mean feels every interruption the median may hide.
  state.counters["mean_ratio"] = median(quiet_mean) > 0 ? median(fast_mean) / median(quiet_mean) : 0;
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}
BENCHMARK(BM_QuietHost)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
