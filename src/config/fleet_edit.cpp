#include "dli/config/fleet_edit.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace dli {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::size_t indent_of(const std::string& line) { return line.find_first_not_of(' '); }
bool blank_or_comment(const std::string& line) {
  const std::size_t at = line.find_first_not_of(" \t\r");
  return at == std::string::npos || line[at] == '#';
}

// "hosts:" at column 0 with nothing after it but a comment.
bool hosts_key_line(const std::string& line) {
  if (line.rfind("hosts:", 0) != 0) return false;
  const std::size_t rest = line.find_first_not_of(" \t\r", 6);
  return rest == std::string::npos || line[rest] == '#';
}

Error edit_error(std::string message) { return Error{std::move(message), false, ErrorKind::kOther}; }

}  // namespace

std::string yaml_scalar(const std::string& text) {
  const bool safe_chars = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("_./+~-@:").find(c) != std::string_view::npos;
  });
  // Plain scalars must not start with an indicator, end in ':' or read as null/bool.
  static const std::vector<std::string> kSpecial = {"~", "null", "true", "false", "yes", "no", "on", "off"};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool plain = safe_chars && text.front() != '-' && text.front() != '@' && text.front() != ':' &&
                     text.back() != ':' && text.find(": ") == std::string::npos &&
                     std::find(kSpecial.begin(), kSpecial.end(), lower) == kSpecial.end();
  if (plain) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

Result<std::string> append_host_entry(const std::string& fleet_text, const NewSshHost& host) {
  const std::vector<std::string> values = {host.name, host.address, host.user, host.key_file, host.known_hosts,
                                           host.agent_path, host.work_dir};
  for (const auto& value : values) {
    if (value.find_first_of("\r\n") != std::string::npos) return edit_error("a value holds a line break");
  }
  const std::vector<std::string> lines = split_lines(fleet_text);
  const auto key = std::find_if(lines.begin(), lines.end(), hosts_key_line);
  if (key == lines.end()) {
    return edit_error("no `hosts:` list written as a block (one `- name: ...` entry per line) at the top level; "
                      "add the entry by hand");
  }
  // The list runs until the next line at column 0 that is not a comment; it ends at its last content line.
  std::size_t last = static_cast<std::size_t>(key - lines.begin());
  std::string item_prefix;  // "  - " as the entries write it
  for (std::size_t i = last + 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (blank_or_comment(line)) continue;
    if (indent_of(line) == 0 && line[0] != '-') break;
    if (item_prefix.empty() && line[indent_of(line)] == '-') {
      const std::size_t dash = indent_of(line);
      const std::size_t value = line.find_first_not_of(' ', dash + 1);
      item_prefix = line.substr(0, dash + 1) + std::string(value == std::string::npos ? 1 : value - dash - 1, ' ');
    }
    last = i;
  }
  if (item_prefix.empty()) item_prefix = "  - ";
  const std::string indent(item_prefix.size(), ' ');

  std::string entry = item_prefix + "name: " + yaml_scalar(host.name) + "\n";
  const auto add = [&](const char* name, const std::string& value) { entry += indent + name + ": " + value + "\n"; };
  add("kind", "ssh");
  add("address", yaml_scalar(host.address));
  if (host.port != 22) add("port", std::to_string(host.port));
  add("user", yaml_scalar(host.user));
  if (!host.key_file.empty()) add("key_file", yaml_scalar(host.key_file));
  if (host.use_agent) add("use_agent", "true");
  if (!host.known_hosts.empty()) add("known_hosts", yaml_scalar(host.known_hosts));
  if (host.connect_timeout > 0) add("connect_timeout", fmt::format("{:g}", host.connect_timeout));
  if (!host.agent_path.empty()) add("agent_path", yaml_scalar(host.agent_path));
  if (!host.work_dir.empty()) add("work_dir", yaml_scalar(host.work_dir));

  std::string result;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    result += lines[i] + "\n";
    if (i == last) result += entry;
  }
  // Keep a file that did not end in a newline that way (only its last line gained one, before the entry).
  if (!fleet_text.empty() && fleet_text.back() != '\n' && last + 1 < lines.size()) result.pop_back();
  return result;
}

}  // namespace dli
