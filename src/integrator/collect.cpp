#include "dli/integrator/collect.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/integrator/result_files.hpp"
#include "dli/report/rows_json.hpp"
#include "dli/status/status_board.hpp"
#include "dli/util/clock.hpp"
#include "dli/util/local_file.hpp"
#include "dli/util/parallel.hpp"

namespace dli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<nlohmann::json> parse_json(const std::string& key, const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    return Error{fmt::format("{}: not valid JSON: {}", key, error.what())};
  }
}

Result<nlohmann::json> get_json(Store& store, const std::string& key) {
  auto text = store.get(key);
  if (!text) return text.error();
  return parse_json(key, text.value());
}

// Each task's result (aligned with tasks.tests). A host that ended `done` with nothing unpublished has a result
// for each test it did not skip: each is read by its key, without listing the folder; one that is missing after all
// is simply not found. Otherwise the results present are listed first (an absent folder simply means none yet).
Result<std::vector<std::optional<TestResult>>> read_host_results(Store& store, const TaskList& tasks,
                                                                 bool all_published, bool spread,
                                                                 std::vector<std::string>& problems) {
  std::vector<std::string> task_keys;
  task_keys.reserve(tasks.tests.size());
  for (const auto& spec : tasks.tests) task_keys.push_back(task_key(spec));
  if (all_published) {
    std::vector<std::string> keys;
    keys.reserve(task_keys.size());
    for (const auto& task : task_keys) keys.push_back(layout::result(tasks.run_id, tasks.host, task));
    return read_result_files(store, keys, true, spread, problems);
  }
  auto names = store.list(layout::results_dir(tasks.run_id, tasks.host));
  if (!names) return names.error();
  std::unordered_map<std::string, std::size_t> slot_of;  // task key -> its file's slot
  std::vector<std::string> keys;
  for (const auto& name : names.value()) {
    const std::string suffix = ".json";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string id = name.substr(0, name.size() - suffix.size());
    slot_of.emplace(id, keys.size());
    keys.push_back(layout::result(tasks.run_id, tasks.host, id));
  }
  auto found = read_result_files(store, keys, false, spread, problems);
  std::vector<std::optional<TestResult>> results(task_keys.size());
  for (std::size_t i = 0; i < task_keys.size(); ++i) {
    const auto slot = slot_of.find(task_keys[i]);
    if (slot != slot_of.end()) results[i] = std::move(found[slot->second]);
  }
  return results;
}

Result<TaskList> read_task_list(Store& store, const std::string& run_id, const std::string& host) {
  auto text = store.get(layout::tasks(run_id, host));
  if (!text) return text.error();
  if (auto quick = quick_task_list(text.value())) return std::move(*quick);
  auto tasks_json = parse_json(layout::tasks(run_id, host), text.value());
  if (!tasks_json) return tasks_json.error();
  try {
    return task_list_from_json(tasks_json.value());
  } catch (const std::exception& error) {
    return Error{fmt::format("{}: {}", layout::tasks(run_id, host), error.what())};
  }
}

}  // namespace

std::string not_run_reason(const HostStatus* host) {
  if (host == nullptr) return "not run: the host never reported (no heartbeat)";
  const std::string because = host->reason.empty() ? "" : ": " + host->reason;
  switch (host->state) {
    case HostState::kPending:
    case HostState::kStarting:
    case HostState::kRunning:
      return "not run: the run was interrupted (host still " + to_string(host->state) + " when collected)";
    case HostState::kDone: return "not run: the host's agent ended without this result";
    case HostState::kStoreFailed: return "not run or result unpublished: the store failed" + because;
    case HostState::kFailed:
    case HostState::kUnreachable:
    case HostState::kHostKeyRefused:
    case HostState::kAuthFailed:
    case HostState::kAgentMissing:
    case HostState::kLost: break;
  }
  return "not run: host " + to_string(host->state) + because;
}

Result<RunRecord> read_run_record(Store& store, const std::string& run_id, std::vector<std::string>& problems) {
  auto manifest_json = get_json(store, layout::manifest(run_id));
  if (!manifest_json) return manifest_json.error();
  RunRecord record;
  try {
    record.manifest = manifest_from_json(manifest_json.value());
  } catch (const std::exception& error) {
    return Error{fmt::format("{}: {}", layout::manifest(run_id), error.what())};
  }
  auto statuses = StatusBoard(store, run_id).read_all(problems);
  if (!statuses) return statuses.error();
  record.statuses = std::move(statuses).value();
  // A large run's task lists weigh as much as a tenth of its results: read on every core where the store allows.
  const auto& hosts = record.manifest.hosts;
  std::vector<std::optional<Result<TaskList>>> lists(hosts.size());
  const auto read_tasks = [&](std::size_t i) { lists[i] = read_task_list(store, run_id, hosts[i].name); };
  if (store.concurrent_gets()) {
    parallel_for(hosts.size(), 0, read_tasks);
  } else {
    for (std::size_t i = 0; i < hosts.size(); ++i) read_tasks(i);
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!*lists[i]) return lists[i]->error();  // the first host's error, as reading them in turn would stop at
    record.tasks[hosts[i].name] = std::move(*lists[i]).value();
  }
  return record;
}

namespace {

// Tests in the order of their first task; a repeated test's tasks (one per repeat) share its row.
std::vector<std::vector<std::size_t>> tasks_by_test(const TaskList& tasks) {
  std::vector<std::vector<std::size_t>> tests;
  std::unordered_map<std::string, std::size_t> index;  // test id -> its place in `tests`
  for (std::size_t i = 0; i < tasks.tests.size(); ++i) {
    const auto [at, added] = index.try_emplace(tasks.tests[i].id, tests.size());
    if (added) tests.emplace_back();
    tests[at->second].push_back(i);
  }
  return tests;
}

// Fills `rows` (one per test of tasks_by_test) in place: a large run's rows are written once, where they stay
// (the part's own `rows` stay empty).
HostPart collect_host(Store& store, const TaskList& tasks, const std::vector<std::vector<std::size_t>>& tests,
                      const HostStatus* last, bool spread, ReportRow* rows) {
  HostPart part;
  const std::string info_key = layout::host_info(tasks.run_id, tasks.host);
  std::optional<double> peak;  // the host's GEMM peak, for its tests' efficiency
  if (auto described = get_json(store, info_key)) {
    try {
      part.info = host_info_from_json(described.value());
      if (const auto& gemm = part.info->gemm_peak) peak = gemm->gflops;
    } catch (const std::exception& error) {
      part.problems.push_back(fmt::format("{}: {}", info_key, error.what()));
    }
  }
  auto results = read_host_results(store, tasks, last != nullptr && host_complete(*last), spread, part.problems);
  if (!results) {
    part.error = results.error();
    return part;
  }
  for (std::size_t t = 0; t < tests.size(); ++t) {
    const std::vector<std::size_t>& repeats = tests[t];
    ReportRow& row = rows[t];
    row.spec = tasks.tests[repeats.front()];
    row.spec.repeat = 0;  // the row is the test, not one of its repeats
    row.host_peak_gflops = peak;
    std::vector<TestResult> found;  // a repeated test's results, combined below; a single one goes to its row
    for (const std::size_t task : repeats) {
      std::optional<TestResult>& result = results.value()[task];
      if (!result) {
        ++part.unfinished;
        continue;
      }
      TestResult& taken = row.spec.measure.repeats > 1 ? found.emplace_back(std::move(*result))
                                                        : row.result.emplace(std::move(*result));
      taken.spec = tasks.tests[task];  // the planned spec (with its host) is authoritative; the result's informs
    }
    if (row.spec.measure.repeats > 1) {
      CombinedRepeats combined = combine_repeats(std::move(found), row.spec.measure.repeats);
      row.result = std::move(combined.result);
      row.repeats = std::move(combined.summary);
    }
    if (row.result) {
      const TestStatus status = row.result->status;
      (status == TestStatus::kOk ? part.ok : is_failure(status) ? part.failed : part.unsupported) += 1;
    } else {
      row.not_run_reason = not_run_reason(last);
      part.not_run += 1;
    }
  }
  return part;
}

}  // namespace

bool host_complete(const HostStatus& last) { return last.state == HostState::kDone && last.unpublished == 0; }

HostPart collect_complete_host(Store& store, const TaskList& tasks, const HostStatus& last) {
  const std::vector<std::vector<std::size_t>> tests = tasks_by_test(tasks);
  std::vector<ReportRow> rows(tests.size());
  HostPart part = collect_host(store, tasks, tests, &last, true, rows.data());
  part.rows = std::move(rows);
  return part;
}

Result<Collected> collect_known(Store& store, const RunRecord& record, std::map<std::string, HostPart> ready) {
  Collected collected;
  collected.manifest = record.manifest;
  const std::string& run_id = record.manifest.run_id;
  const auto& hosts = collected.manifest.hosts;
  std::vector<const HostStatus*> last(hosts.size(), nullptr);
  std::vector<const TaskList*> tasks(hosts.size(), nullptr);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto status_of = record.statuses.find(hosts[i].name);
    if (status_of != record.statuses.end()) last[i] = &status_of->second;
    const auto tasks_of = record.tasks.find(hosts[i].name);
    if (tasks_of == record.tasks.end()) {
      return Error{fmt::format("run {}: no task list of host {}", run_id, hosts[i].name)};
    }
    tasks[i] = &tasks_of->second;
  }
  std::vector<std::vector<std::vector<std::size_t>>> tests(hosts.size());
  std::vector<std::size_t> first_row(hosts.size() + 1, 0);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    tests[i] = tasks_by_test(*tasks[i]);
    first_row[i + 1] = first_row[i] + tests[i].size();
  }
  collected.rows.resize(first_row.back());
  // Whole hosts on every core where the store allows concurrent reads (each host's files in turn on its thread, so
  // building its rows runs in parallel too); otherwise host after host, each one's results decoded on every core.
  std::vector<HostPart> parts(hosts.size());
  std::vector<std::size_t> to_read;  // hosts not read ahead: their index in `hosts`
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto early = ready.find(hosts[i].name);
    if (early == ready.end() || early->second.error || early->second.rows.size() != tests[i].size()) {
      to_read.push_back(i);
      continue;
    }
    parts[i] = std::move(early->second);
    std::move(parts[i].rows.begin(), parts[i].rows.end(), collected.rows.begin() + first_row[i]);
    parts[i].rows.clear();
  }
  const auto collect_one = [&](std::size_t i, bool spread) {
    parts[i] = collect_host(store, *tasks[i], tests[i], last[i], spread, collected.rows.data() + first_row[i]);
  };
  if (store.concurrent_gets() && to_read.size() > 1) {
    parallel_for(to_read.size(), 0, [&](std::size_t k) { collect_one(to_read[k], false); });
  } else {
    for (const std::size_t i : to_read) collect_one(i, true);
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    HostPart& part = parts[i];
    if (part.error) return *part.error;
    if (last[i] != nullptr) collected.host_states.push_back(*last[i]);
    if (part.info) collected.hosts.emplace_back(hosts[i].name, std::move(*part.info));
    collected.problems.insert(collected.problems.end(), std::make_move_iterator(part.problems.begin()),
                              std::make_move_iterator(part.problems.end()));
    collected.ok += part.ok;
    collected.failed += part.failed;
    collected.unsupported += part.unsupported;
    collected.not_run += part.not_run;
    if (part.unfinished > 0) collected.unfinished[hosts[i].name] = part.unfinished;
  }
  return collected;
}

Result<Collected> collect_run(Store& store, const std::string& run_id) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> problems;
  auto record = read_run_record(store, run_id, problems);
  if (!record) return record.error();
  auto collected = collect_known(store, record.value());
  if (!collected) return collected.error();
  collected.value().problems.insert(collected.value().problems.begin(), problems.begin(), problems.end());
  spdlog::debug("collect timing: read+parse {:.3f} s ({} rows)", seconds_since(start), collected.value().rows.size());
  return collected;
}

ReportPaths write_reports(const Collected& collected, const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  const std::filesystem::path out(out_dir);
  ReportPaths paths{(out / "results.csv").string(), (out / "results.html").string(), (out / "results.json").string()};
  ReportContext context{collected.manifest.run_id, collected.manifest.sweep_name, collected.manifest.created_at,
                        utc_now_iso8601(), collected.hosts, collected.host_states};
  context.maintenance = collected.manifest.maintenance;
  context.capacity = collected.manifest.capacity;
  // Each report streams into its file (never whole in memory); -v logs each one's time (docs/benchmarks.md).
  const auto write = [](const char* step, const std::string& path, const std::function<void(std::ostream&)>& body) {
    const auto start = std::chrono::steady_clock::now();
    write_file_atomically(path, body);
    spdlog::debug("collect timing: {} {:.3f} s", step, seconds_since(start));
  };
  // They only read the rows, so every file is a job of its own, shared by all cores: the single large files first,
  // then each host's test details (docs/site.md, "Host pages"), many small jobs that even out the cores' ends (with
  // the run page last, one core wrote it alone while the other had nothing left).
  std::vector<std::function<void()>> jobs;
  jobs.emplace_back([&] {
    write("json", paths.json, [&](std::ostream& file) { stream_rows_json(file, context, collected.rows); });
  });
  jobs.emplace_back([&] { write("csv", paths.csv, [&](std::ostream& file) { write_csv(file, collected.rows); }); });
  jobs.emplace_back([&] {
    write("page", paths.html, [&](std::ostream& file) { write_html(file, context, collected.rows); });
  });
  jobs.emplace_back([&] {
    write("feed", (out / "changes.atom").string(),
          [&](std::ostream& file) { write_atom(file, context, collected.rows); });
  });
  std::atomic<std::int64_t> host_pages_us{0};
  const std::vector<HostRows> hosts = rows_by_host(collected.rows);
  for (const HostRows& host : hosts) {
    jobs.emplace_back([&, group = &host] {
      const auto start = std::chrono::steady_clock::now();
      const std::filesystem::path path = out / host_page_path(group->host);
      std::filesystem::create_directories(path.parent_path());
      write_file_atomically(path.string(),
                            [&](std::ostream& file) { write_host_html(file, context, *group, "../results.html"); });
      host_pages_us += static_cast<std::int64_t>(seconds_since(start) * 1e6);
    });
  }
  parallel_for(jobs.size(), 0, [&](std::size_t i) { jobs[i](); });  // rethrows the first failure
  spdlog::debug("collect timing: hosts {:.3f} s", static_cast<double>(host_pages_us.load()) / 1e6);
  return paths;
}

}  // namespace dli
