#pragma once
// Notifications (docs/notifications.md): what in a collected run needs someone's attention, told once per event to
// a hook command (the event as JSON on its standard input) and/or by mail through the local sendmail.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/config/config.hpp"
#include "dli/history/history.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/util/result.hpp"

namespace dli {

struct NotifyEvent {
  std::string kind;     // regression, host_failed, tests_failed, store_error
  std::string key;      // "<kind>:<run id>": the same event is told once
  std::string summary;  // one line, the mail's subject
  nlohmann::json body;  // {"event", "run_id", "sweep_name", "created_at", "summary", "items": [...]}
};

// At most this many items in an event (the page and the CSV have them all); "more" says how many were left out.
inline constexpr std::size_t kMaxEventItems = 50;

// The events of a collected run whose exit code was `exit_code` (exit_codes.hpp), in the documented order. Pure.
std::vector<NotifyEvent> notify_events(const Collected& collected, int exit_code);

// The mail for `event`, as sendmail -t reads it (headers, a blank line, the summary and the event's JSON). Pure.
std::string mail_message(const NotifyConfig& config, const NotifyEvent& event);

// Tells `event` to the hook and/or by mail, each with a time limit and an environment holding no secret.
Status deliver(const NotifyConfig& config, const NotifyEvent& event);

// Tells each event the configuration wants and the history has not seen told (`history` may be null: no memory,
// every event is told); records each told one. Failures are logged, never thrown: a run's results matter more.
// Returns how many events were told.
int notify(const NotifyConfig& config, HistoryDb* history, const std::vector<NotifyEvent>& events);

}  // namespace dli
