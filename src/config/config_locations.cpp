// Store URLs and history databases named in fleet and lab files (config_locations.hpp).
#include "config_locations.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>

#include "config_files.hpp"
#include "dli/store/store.hpp"

namespace dli::config_yaml {

std::optional<std::string> read_store_url(const Field& field, Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return std::nullopt;
  const auto scheme_end = text->find("://");
  const bool has_scheme =
      scheme_end != std::string::npos && scheme_end > 0 &&
      std::all_of(text->begin(), text->begin() + static_cast<std::ptrdiff_t>(scheme_end),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; });
  if (!has_scheme) {
    problems.add(field, "expected a store URL such as file:///var/lib/dli-store, got " + describe(field.node));
    return std::nullopt;
  }
  // The store's own rules (options, their values, the files they name), so that `plan` refuses what `run` would.
  if (auto checked = check_store_url(*text); !checked) {
    problems.add(field, checked.error().message);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> read_history_location(const Field& field, const std::string& base_folder,
                                                 Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return std::nullopt;
  const bool postgres = text->rfind("postgresql://", 0) == 0 || text->rfind("postgres://", 0) == 0;
  if (postgres) {
    const std::string rest = text->substr(text->find("://") + 3);
    const std::string authority = rest.substr(0, rest.find('/'));
    const auto at = authority.rfind('@');
    if (at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) {
      problems.add(field, "a password does not belong in a YAML file: write postgresql://USER@HOST/DATABASE and put "
                          "the password in ~/.pgpass (docs/history.md)");
      return std::nullopt;
    }
    if (text->find("password=") != std::string::npos) {
      problems.add(field, "a password does not belong in a YAML file: put it in ~/.pgpass (docs/history.md)");
      return std::nullopt;
    }
    return text;
  }
  if (text->find("://") != std::string::npos && text->rfind("sqlite://", 0) != 0) {
    problems.add(field, "expected a database file, sqlite:///path or postgresql://USER@HOST/DATABASE, got " +
                            describe(field.node));
    return std::nullopt;
  }
  const std::string path = text->rfind("sqlite://", 0) == 0 ? text->substr(9) : *text;
  if (path.empty()) {
    problems.add(field, "expected a database file, sqlite:///path or postgresql://USER@HOST/DATABASE, got " +
                            describe(field.node));
    return std::nullopt;
  }
  return config_files::resolve(path, base_folder);
}

}  // namespace dli::config_yaml
