#pragma once
// `hosts add` writes a new host into a fleet file a person keeps: yaml-cpp would drop the file's comments and
// layout, so the entry is added as text at the end of the `hosts:` list, in the indentation its entries already
// use. A pure function of the text; the caller re-reads the result with the validating loader before keeping it.
#include <string>

#include "dli/util/result.hpp"

namespace dli {

struct NewSshHost {
  std::string name;
  std::string address;
  int port = 22;              // written only when not 22
  std::string user;
  std::string key_file;       // written when not empty
  bool use_agent = false;     // written when true
  std::string known_hosts;    // written when not empty (the loader's default otherwise)
  std::string agent_path;     // written when not empty
  std::string work_dir;       // written when not empty
  double connect_timeout = 0; // written when > 0
};

// The fleet text with `host` appended to its block-style `hosts:` list, after the list's last entry (comments
// after it stay where they were, with whatever follows). Errors (kOther): no top-level `hosts:` block list (a
// flow list `hosts: [...]` included), or a value with a line break.
Result<std::string> append_host_entry(const std::string& fleet_text, const NewSshHost& host);

// A YAML scalar for `text`: plain when that reads back as the same string, else double-quoted.
std::string yaml_scalar(const std::string& text);

}  // namespace dli
