// What in a collected run needs attention (notify.hpp). Pure.
#include <fmt/format.h>

#include "dli/integrator/notify.hpp"
#include "dli/report/regression.hpp"
#include "dli/util/exit_codes.hpp"

namespace dli {

namespace {

NotifyEvent make_event(const Collected& collected, const std::string& kind, const std::string& summary,
                       nlohmann::json items, std::size_t total) {
  const Manifest& run = collected.manifest;
  NotifyEvent event{kind, kind + ":" + run.run_id, summary, {}};
  event.body = {{"event", kind},           {"run_id", run.run_id}, {"sweep_name", run.sweep_name},
                {"created_at", run.created_at}, {"summary", summary},   {"items", std::move(items)}};
  if (total > kMaxEventItems) event.body["more"] = total - kMaxEventItems;
  return event;
}

// Adds `item` while there is room; counts it anyway.
void add(nlohmann::json& items, std::size_t& total, nlohmann::json item) {
  if (++total <= kMaxEventItems) items.push_back(std::move(item));
}

const HostStatus* status_of(const Collected& collected, const std::string& host) {
  for (const auto& state : collected.host_states) {
    if (state.host == host) return &state;
  }
  return nullptr;
}

}  // namespace

std::vector<NotifyEvent> notify_events(const Collected& collected, int exit_code) {
  std::vector<NotifyEvent> events;
  const std::string& run = collected.manifest.run_id;

  nlohmann::json regressed = nlohmann::json::array();
  std::size_t regressions = 0;
  for (const auto& row : collected.rows) {
    if (!row.change || row.change->kind != ChangeKind::kRegressed) continue;
    add(regressed, regressions,
        {{"host", row.spec.host}, {"test_id", row.spec.id}, {"test", test_label(row.spec)},
         {"baseline", row.change->baseline}, {"change_pct", 100 * row.change->relative}});
  }
  if (regressions > 0) {
    events.push_back(make_event(collected, "regression",
                                fmt::format("dli {}: {} test{} regressed", run, regressions, regressions == 1 ? "" : "s"),
                                std::move(regressed), regressions));
  }

  nlohmann::json hosts = nlohmann::json::array();
  std::size_t failed_hosts = 0;
  for (const auto& host : collected.manifest.hosts) {
    const HostStatus* status = status_of(collected, host.name);
    if (status != nullptr && !host_not_reached(status->state) && status->state != HostState::kFailed) continue;
    add(hosts, failed_hosts,
        {{"host", host.name}, {"state", status ? to_string(status->state) : "unreachable"},
         {"reason", status ? status->reason : "never reported"}});
  }
  if (failed_hosts > 0) {
    events.push_back(make_event(collected, "host_failed",
                                fmt::format("dli {}: {} host{} lost, unreachable or failed", run, failed_hosts,
                                            failed_hosts == 1 ? "" : "s"),
                                std::move(hosts), failed_hosts));
  }

  nlohmann::json tests = nlohmann::json::array();
  std::size_t failed_tests = 0;
  for (const auto& row : collected.rows) {
    if (!row.result || !is_failure(row.result->status)) continue;
    add(tests, failed_tests,
        {{"host", row.spec.host}, {"test_id", row.spec.id}, {"test", test_label(row.spec)},
         {"status", to_string(row.result->status)}, {"reason", row.result->reason}});
  }
  if (failed_tests > 0) {
    events.push_back(make_event(collected, "tests_failed",
                                fmt::format("dli {}: {} test{} failed, crashed or timed out", run, failed_tests,
                                            failed_tests == 1 ? "" : "s"),
                                std::move(tests), failed_tests));
  }

  if (exit_code == exit_code::kStoreFailed) {
    nlohmann::json waiting = nlohmann::json::array();
    std::size_t count = 0;
    for (const auto& status : collected.host_states) {
      if (status.state != HostState::kStoreFailed && status.unpublished == 0) continue;
      add(waiting, count,
          {{"host", status.host}, {"state", to_string(status.state)}, {"unpublished", status.unpublished},
           {"reason", status.publish_error.empty() ? status.reason : status.publish_error}});
    }
    events.push_back(make_event(collected, "store_error",
                                fmt::format("dli {}: the store could not be read or written", run),
                                std::move(waiting), count));
  }
  return events;
}

std::string mail_message(const NotifyConfig& config, const NotifyEvent& event) {
  std::string to;
  for (const auto& address : config.mail_to) to += (to.empty() ? "" : ", ") + address;
  return "From: " + config.mail_from + "\nTo: " + to + "\nSubject: " + event.summary +
         "\nContent-Type: text/plain; charset=utf-8\nAuto-Submitted: auto-generated\n\n" + event.summary + "\n\n" +
         event.body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace dli
