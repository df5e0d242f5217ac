// Expansion of a sweep into the tests of each host.
#include "dli/integrator/matrix.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "dli/protocol/runner_catalogue.hpp"
#include "dli/util/sha256.hpp"

namespace dli {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

// "opencv-dnn" or "opencv-dnn {backend: x, target: y}": tells apart two entries of one framework in messages.
std::string describe_launcher(const LauncherConfig& launcher) {
  if (launcher.params.empty()) return launcher.framework;
  std::vector<std::string> params;
  for (const auto& [key, value] : launcher.params) params.push_back(key + ": " + value);
  return launcher.framework + " {" + join(params) + "}";
}

const std::string& hash_of(const FileHashes& hashes, const std::string& path) {
  const auto found = hashes.find(path);
  if (found == hashes.end()) throw std::invalid_argument("no hash for model file " + path + " (see hash_model_files)");
  return found->second;
}

ModelRef model_ref(const ModelConfig& model, const FileHashes& hashes) {
  ModelRef ref;
  ref.name = model.name;
  ref.format = model.format;
  ref.precision = model.precision;
  ref.input_shape = model.input_shape;
  ref.file_name = std::filesystem::path(model.file).filename().string();
  ref.sha256 = hash_of(hashes, model.file);
  if (!model.config.empty()) {
    ref.config_name = std::filesystem::path(model.config).filename().string();
    ref.config_sha256 = hash_of(hashes, model.config);
  }
  return ref;
}

// The formats each launcher of the sweep loads (the runner catalogue's, narrowed by its params).
std::vector<std::vector<std::string>> launcher_formats(const SweepConfig& sweep) {
  std::vector<std::vector<std::string>> formats;
  for (const auto& launcher : sweep.launchers) {
    const RunnerEntry* entry = find_runner_entry(launcher.framework);
    if (!entry) throw std::invalid_argument("unknown launcher '" + launcher.framework + "'");
    formats.push_back(formats_for(*entry, launcher.params));
  }
  return formats;
}

bool loads(const std::vector<std::string>& formats, const std::string& format) {
  return contains(formats, "*") || contains(formats, format);
}

bool implements(const LauncherConfig& launcher, Mode mode) {
  const RunnerEntry* entry = find_runner_entry(launcher.framework);
  return entry && !why_mode_unsupported(*entry, to_string(mode));
}

const AccuracyConfig* accuracy_of(const SweepConfig& sweep, const std::string& model) {
  for (const auto& accuracy : sweep.accuracy) {
    if (accuracy.model == model) return &accuracy;
  }
  return nullptr;
}

// Tests of one model x launcher pair for one thread count: devices x batches x modes x (requests, async only).
int tests_per_thread_count(const SweepConfig& sweep) {
  int per_batch = 0;
  for (const Mode mode : sweep.modes) per_batch += tests_per_mode(sweep, mode);
  return per_batch * static_cast<int>(sweep.batch_sizes.size() * sweep.devices.size());
}

HostPlan expand_host(const HostConfig& host, const SweepConfig& sweep, const FileHashes& hashes,
                     const DatasetHashes& datasets, const std::vector<std::vector<std::string>>& formats) {
  HostPlan plan;
  plan.host = host;
  MeasureConfig measure = sweep.measure;
  const double cap = host.limits.test_timeout_cap;
  if (cap > 0 && measure.timeout_seconds > cap) measure.timeout_seconds = cap;
  const int max_threads = host.limits.max_threads;

  int supported_pairs = 0;  // model x launcher pairs that run; each loses the same tests to the thread limit
  std::set<std::string> ids;
  for (const auto& model : sweep.models) {
    const ModelRef ref = model_ref(model, hashes);
    for (std::size_t l = 0; l < sweep.launchers.size(); ++l) {
      const LauncherConfig& launcher = sweep.launchers[l];
      if (!loads(formats[l], model.format)) {
        const int count = tests_per_thread_count(sweep) * static_cast<int>(sweep.threads.size());
        plan.skipped.push_back("model " + model.name + " on " + describe_launcher(launcher) + ": " + launcher.framework +
                               " does not load " + model.format + " models (it loads " + join(formats[l]) + "); " +
                               std::to_string(count) + " tests skipped");
        continue;
      }
      ++supported_pairs;
      // Modes the launcher's runner does not implement: skipped with the reason, never measured as another mode.
      for (const Mode mode : sweep.modes) {
        if (implements(launcher, mode)) continue;
        plan.skipped.push_back("model " + model.name + " on " + describe_launcher(launcher) + ": " +
                               *why_mode_unsupported(*find_runner_entry(launcher.framework), to_string(mode)));
      }
      auto add = [&](TestSpec spec) {
        spec.host = host.name;
        spec.model = ref;
        spec.framework = launcher.framework;
        spec.params = launcher.params;
        spec.measure = measure;
        spec.id = test_id(spec);
        if (!ids.insert(spec.id).second) {
          throw std::invalid_argument("two tests of host " + host.name + " share the id " + spec.id + " (" +
                                      test_label(spec) + "): the sweep repeats a model or launcher");
        }
        plan.tests.push_back(std::move(spec));
      };
      for (const std::string& device : sweep.devices) {
        for (const int batch : sweep.batch_sizes) {
          for (const Mode mode : sweep.modes) {
            if (!implements(launcher, mode)) continue;
            for (const int threads : sweep.threads) {
              if (max_threads > 0 && threads > max_threads) continue;
              const std::vector<int> requests = uses_streams(mode) ? sweep.async_requests : std::vector<int>{1};
              const std::vector<int> samples =
                  mode == Mode::kMultiStream ? sweep.multi_stream_samples : std::vector<int>{1};
              const std::vector<double> rates = mode == Mode::kServer ? sweep.server_qps : std::vector<double>{0};
              for (const int in_flight : requests) {
                // A division of the threads the framework cannot honour: skipped with the reason (once per
                // combination), never measured as something else.
                if (const auto why = why_threads_unsupported(*find_runner_entry(launcher.framework), mode, threads,
                                                             in_flight)) {
                  const std::string line = "model " + model.name + " on " + describe_launcher(launcher) + ", " +
                                           to_string(mode) + " threads " + std::to_string(threads) + " requests " +
                                           std::to_string(in_flight) + ": " + *why;
                  if (!contains(plan.skipped, line)) plan.skipped.push_back(line);
                  continue;
                }
                for (const int per_query : samples) {
                  for (const double rate : rates) {
                    TestSpec spec;
                    spec.batch = batch;
                    spec.mode = mode;
                    spec.threads = threads;
                    spec.requests = in_flight;
                    spec.samples_per_query = per_query;
                    spec.target_qps = rate;
                    spec.device = device;
                    add(std::move(spec));
                  }
                }
              }
            }
          }
        }
        // Quality once per model, framework and device: the smallest batch and thread count of the sweep.
        if (const AccuracyConfig* accuracy = accuracy_of(sweep, model.name)) {
          const int threads = *std::min_element(sweep.threads.begin(), sweep.threads.end());
          if (max_threads > 0 && threads > max_threads) continue;
          TestSpec spec;
          spec.batch = *std::min_element(sweep.batch_sizes.begin(), sweep.batch_sizes.end());
          spec.mode = Mode::kAccuracy;
          spec.threads = threads;
          spec.device = device;
          spec.dataset.name = std::filesystem::path(accuracy->dataset).filename().string();
          const auto packed = datasets.find(accuracy->dataset);
          if (packed == datasets.end()) throw std::invalid_argument("no packed dataset for " + accuracy->dataset);
          spec.dataset.sha256 = packed->second.sha256;
          add(std::move(spec));
        }
      }
    }
  }
  for (const int threads : sweep.threads) {
    if (max_threads <= 0 || threads <= max_threads || supported_pairs == 0) continue;
    plan.skipped.push_back("threads " + std::to_string(threads) + ": above max_threads " + std::to_string(max_threads) +
                           " of host " + host.name + "; " + std::to_string(supported_pairs * tests_per_thread_count(sweep)) +
                           " tests skipped");
  }
  return plan;
}

}  // namespace

FileHashes hash_model_files(const SweepConfig& sweep) {
  FileHashes hashes;
  for (const auto& model : sweep.models) {
    for (const std::string* path : {&model.file, &model.config}) {
      if (!path->empty() && hashes.count(*path) == 0) hashes[*path] = sha256_file_hex(*path);
    }
  }
  return hashes;
}

std::vector<HostPlan> expand(const SweepConfig& sweep, const FleetConfig& fleet, const FileHashes& hashes,
                             const DatasetHashes& datasets) {
  check_sweep_against_fleet(sweep, fleet);
  const auto formats = launcher_formats(sweep);
  const std::set<std::string> selected(sweep.hosts.begin(), sweep.hosts.end());  // a big fleet: no list scan per host
  std::vector<HostPlan> plans;
  for (const auto& host : fleet.hosts) {
    if (!selected.empty() && selected.count(host.name) == 0) continue;
    if (!host.maintenance.empty()) continue;  // left out, named in the plan and the manifest (plan.cpp)
    plans.push_back(expand_host(host, sweep, hashes, datasets, formats));
  }
  return plans;
}

}  // namespace dli
