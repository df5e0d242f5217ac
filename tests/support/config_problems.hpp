#pragma once
// Test support for the config loaders: the diagnostics a bad document gives, and the check that there is exactly
// one, at an exact place, about an exact key.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/config/config.hpp"

namespace dli::testing {

inline std::string listing(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& diagnostic : diagnostics) text += "\n  " + diagnostic.str();
  return text;
}

// What `parse` (a loader call on `yaml`) reports; a failure when it accepts the document.
template <class Parse>
std::vector<Diagnostic> diagnostics_of(Parse parse, const std::string& yaml) {
  try {
    parse();
  } catch (const ConfigError& error) {
    return error.diagnostics();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << yaml;
  return {};
}

// Exactly one problem, in `file` at that place, about that key, saying (at least) `fragment`.
inline void expect_single_problem(const std::vector<Diagnostic>& diagnostics, const std::string& file, int line,
                                  int column, const std::string& key, const std::string& fragment) {
  ASSERT_EQ(diagnostics.size(), 1u) << listing(diagnostics);
  const Diagnostic& d = diagnostics[0];
  EXPECT_EQ(d.file, file);
  EXPECT_EQ(d.line, line) << d.str();
  EXPECT_EQ(d.column, column) << d.str();
  EXPECT_EQ(d.key, key) << d.str();
  EXPECT_NE(d.message.find(fragment), std::string::npos) << d.str() << "\nwanted: " << fragment;
}

}  // namespace dli::testing
