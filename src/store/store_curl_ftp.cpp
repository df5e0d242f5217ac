// FTP requests of the ftp:// and ftps:// store (store_curl_ftp.hpp).
#include "store_curl_ftp.hpp"

#include <cctype>
#include <set>
#include <utility>

namespace dli::curl_store {

namespace {

// "a/b/c" -> "a", "a/b", "a/b/c"; "/srv/dli" -> "/srv", "/srv/dli".
std::vector<std::string> folder_levels(const std::string& folder) {
  std::vector<std::string> levels;
  for (std::size_t slash = folder.find('/', 1); slash != std::string::npos; slash = folder.find('/', slash + 1)) {
    levels.push_back(folder.substr(0, slash));
  }
  if (!folder.empty() && folder != "/") levels.push_back(folder);
  return levels;
}

}  // namespace

FtpRequests::FtpRequests(CurlSession& session, std::string command_url)
    : session_(session), command_url_(std::move(command_url)) {}

Outcome FtpRequests::transfer(Transfer& transfer) {
  Outcome outcome = session_.perform(transfer);
  // After an upload or download the connection is in binary mode (TYPE I), after a listing in ASCII mode (TYPE A),
  // after a failure in a mode not known.
  binary_on_ = outcome.ok() && !transfer.list_only ? session_.connections() : 0;
  return outcome;
}

// libcurl closes the connection after a refused quote command, so the next request would log in again. Sent as
// allowed to fail ('*'), a refusal leaves it open; the replies (the last ones of the request, one per command) say
// which command was refused, and the outcome then reads as libcurl's own would (CURLE_QUOTE_ERROR).
Outcome FtpRequests::commands(const std::vector<std::string>& commands) {
  Transfer request;
  request.url = command_url_;
  request.nobody = true;
  for (const std::string& command : commands) {
    request.quote.push_back(command.rfind('*', 0) == 0 ? command : "*" + command);
  }
  Outcome outcome = session_.perform(request);
  if (!outcome.ok() || outcome.replies.size() < commands.size()) return outcome;
  const std::size_t first = outcome.replies.size() - commands.size();
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const std::string& reply = outcome.replies[first + i];
    const long code = std::stol(reply.substr(0, 3));
    if (code < 400 || commands[i].rfind('*', 0) == 0) continue;
    outcome.code = CURLE_QUOTE_ERROR;
    outcome.reply = code;
    outcome.detail = commands[i].substr(0, commands[i].find(' ')) + " refused";
    outcome.replies.resize(first + i + 1);  // the refusal is the server's last word for messages
    break;
  }
  return outcome;
}

bool FtpRequests::binary_known() const {
  return binary_on_ != 0 && binary_on_ == session_.connections() && session_.connected();
}

// ProFTPD refuses SIZE in ASCII mode, the mode of every new FTP connection, with the same 550 as for a missing file.
// So "TYPE I" goes first unless this connection is known to be in binary mode; and a 550 on a connection libcurl had
// to open afresh meanwhile (the kept one had died) is asked again in binary mode.
FtpRequests::Size FtpRequests::size(const std::string& path) {
  Size answer;
  bool typed = !binary_known();
  const std::uint64_t connections_before = session_.connections();
  for (;;) {
    answer.outcome = commands(typed ? std::vector<std::string>{"TYPE I", "SIZE " + path}
                                    : std::vector<std::string>{"SIZE " + path});
    const bool reconnected = session_.connections() != connections_before;
    if (answer.outcome.code == CURLE_QUOTE_ERROR && answer.outcome.reply == 550 && !typed && reconnected) {
      typed = true;
      continue;
    }
    break;
  }
  if (answer.outcome.ok()) {
    if (typed) binary_on_ = session_.connections();
    answer.found = true;
    answer.bytes = size_reply(answer.outcome).value_or(-1);
  } else if (answer.outcome.code == CURLE_QUOTE_ERROR && answer.outcome.reply == 550) {
    answer.outcome = Outcome{};  // a plain "no such file" is an answer, not a failure
  }
  return answer;
}

Outcome FtpRequests::make_folders(const std::string& folder) {
  const std::vector<std::string> levels = folder_levels(folder);
  // Deepest first: usually only the last level is new (a host's results/ folder). A refused MKD means it exists or
  // its parent is missing: go up until one is made, then down again in one request. Refused up to the top, every
  // level is made again on the way down: a parent missing at first may exist now (another agent made it meanwhile),
  // and returning then left the deepest level unmade (the upload after it refused as if by permission).
  std::size_t made = levels.size();
  while (made > 0) {
    const Outcome outcome = commands({"MKD " + levels[made - 1]});
    if (outcome.ok()) break;
    if (outcome.code != CURLE_QUOTE_ERROR) return outcome;
    --made;
  }
  if (made == levels.size()) return Outcome{};
  std::vector<std::string> below;
  for (std::size_t level = made; level < levels.size(); ++level) below.push_back("MKD " + levels[level]);
  const Outcome outcome = commands(below);
  return outcome.code == CURLE_QUOTE_ERROR ? Outcome{} : outcome;
}

Outcome FtpRequests::make_folders_top_down(const std::vector<std::string>& folders) {
  std::set<std::string> levels;  // a parent sorts before its children: it is a prefix of theirs
  for (const auto& folder : folders) {
    for (auto& level : folder_levels(folder)) levels.insert(std::move(level));
  }
  if (levels.empty()) return Outcome{};
  std::vector<std::string> making;
  for (const auto& level : levels) making.push_back("MKD " + level);
  // A refused MKD (the folder exists) is no failure: commands() sends each with '*'.
  const Outcome outcome = commands(making);
  return outcome.code == CURLE_QUOTE_ERROR ? Outcome{} : outcome;
}

bool FtpRequests::upload_refused(const Outcome& outcome) {
  return outcome.code == CURLE_UPLOAD_FAILED && (outcome.reply == 550 || outcome.reply == 553);
}

std::optional<std::int64_t> FtpRequests::size_reply(const Outcome& outcome) {
  if (outcome.replies.empty()) return std::nullopt;
  const std::string& last = outcome.replies.back();
  if (last.rfind("213 ", 0) != 0 || last.size() == 4) return std::nullopt;
  std::int64_t bytes = 0;
  for (std::size_t at = 4; at < last.size(); ++at) {
    if (!std::isdigit(static_cast<unsigned char>(last[at]))) return std::nullopt;
    if (bytes > (INT64_MAX - 9) / 10) return std::nullopt;
    bytes = bytes * 10 + (last[at] - '0');
  }
  return bytes;
}

}  // namespace dli::curl_store
