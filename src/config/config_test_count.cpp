// The size of a sweep's matrix, known before it is expanded (include/dli/config/config.hpp).
#include <algorithm>
#include <string>
#include <unordered_set>

#include "dli/config/config.hpp"

namespace dli {

int tests_per_mode(const SweepConfig& sweep, Mode mode) {
  std::size_t count = 1;
  if (uses_streams(mode)) count *= sweep.async_requests.size();
  if (mode == Mode::kMultiStream) count *= sweep.multi_stream_samples.size();
  if (mode == Mode::kServer) count *= std::max<std::size_t>(sweep.server_qps.size(), 1);
  return static_cast<int>(count);
}

double max_tests_per_host(const SweepConfig& sweep) {
  double per_batch = 0;  // tests per batch size, device and thread count of one model x launcher pair
  for (const Mode mode : sweep.modes) per_batch += tests_per_mode(sweep, mode);
  const double pairs = static_cast<double>(sweep.models.size()) * static_cast<double>(sweep.launchers.size());
  const double devices = static_cast<double>(sweep.devices.size());
  // Every repeat is a task of its own (accuracy tests are not repeated).
  const double speed = pairs * devices * static_cast<double>(sweep.batch_sizes.size()) * per_batch *
                       static_cast<double>(sweep.threads.size()) * static_cast<double>(sweep.measure.repeats);
  // One accuracy test per model entry (each format of a model) with a dataset, launcher and device.
  std::unordered_set<std::string> checked_models;
  for (const auto& accuracy : sweep.accuracy) checked_models.insert(accuracy.model);
  double entries_with_data = 0;
  for (const auto& model : sweep.models) entries_with_data += checked_models.count(model.name) > 0 ? 1 : 0;
  return speed + entries_with_data * static_cast<double>(sweep.launchers.size()) * devices;
}

}  // namespace dli
