// `notify:` of a fleet: who hears of a run that needs attention (docs/notifications.md).
#include <unistd.h>

#include <algorithm>

#include "config_notify.hpp"

namespace dli {

bool NotifyConfig::wants(const std::string& kind) const {
  return events.empty() || std::find(events.begin(), events.end(), kind) != events.end();
}

namespace config_yaml {

namespace {

const std::vector<std::string> kNotifyKeys = {"hook", "mail", "events"};
const std::vector<std::string> kMailKeys = {"to", "from", "sendmail"};

// An absolute path to a file this user may execute.
std::optional<std::string> read_program(const Field& field, Problems& problems) {
  const auto path = read_string(field, problems);
  if (!path) return std::nullopt;
  if (path->empty() || path->front() != '/') {
    problems.add(field, "expected an absolute path to a program, got '" + *path + "'");
    return std::nullopt;
  }
  if (::access(path->c_str(), X_OK) != 0) {
    problems.add(field, "cannot execute " + *path + " (missing, or not executable by this user)");
    return std::nullopt;
  }
  return path;
}

// A mail address as a header may carry it: local@domain, no spaces, quotes, angle brackets or line breaks.
std::optional<std::string> read_address(const Field& field, Problems& problems) {
  const auto address = read_string(field, problems);
  if (!address) return std::nullopt;
  const auto at = address->find('@');
  const bool plain = address->find_first_of(" \t\r\n<>\"(),;:\\") == std::string::npos;
  if (!plain || at == std::string::npos || at == 0 || at + 1 == address->size()) {
    problems.add(field, "expected a mail address like admin@lab.example, got '" + *address + "'");
    return std::nullopt;
  }
  return address;
}

void read_mail(const Field& field, NotifyConfig& notify, Problems& problems) {
  MapReader mail(field, problems, "a map {to: [ADDRESS, ...], from: ADDRESS, sendmail: PATH}");
  if (!mail.is_map()) return;
  mail.reject_unknown_keys(kMailKeys);
  if (const auto value = mail.required("to")) {
    if (const auto items = read_list(*value, problems, "mail addresses")) {
      for (const auto& item : *items) {
        if (const auto address = read_address(item, problems)) notify.mail_to.push_back(*address);
      }
    }
  }
  if (const auto value = mail.required("from")) {
    if (const auto address = read_address(*value, problems)) notify.mail_from = *address;
  }
  if (const auto value = mail.optional("sendmail")) {
    if (const auto program = read_program(*value, problems)) notify.sendmail = *program;
  }
}

}  // namespace

void read_notify(const Field& field, NotifyConfig& notify, Problems& problems) {
  MapReader section(field, problems, "a map {hook: [PROGRAM, ARG, ...], mail: {...}, events: [...]}");
  if (!section.is_map()) return;
  section.reject_unknown_keys(kNotifyKeys);
  if (const auto value = section.optional("hook")) {
    if (const auto items = read_list(*value, problems, "the hook's program and arguments")) {
      for (std::size_t i = 0; i < items->size(); ++i) {
        const auto word = i == 0 ? read_program((*items)[i], problems) : read_string((*items)[i], problems);
        if (word) notify.hook.push_back(*word);
      }
    }
  }
  if (const auto value = section.optional("mail")) read_mail(*value, notify, problems);
  if (const auto value = section.optional("events")) {
    if (const auto items = read_list(*value, problems, "event kinds")) {
      for (const auto& item : *items) {
        if (const auto kind = read_choice(item, problems, kNotifyEventKinds)) notify.events.push_back(*kind);
      }
    }
  }
}

}  // namespace config_yaml
}  // namespace dli
