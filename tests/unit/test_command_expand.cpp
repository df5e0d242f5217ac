// The command line of dli-run-command: placeholders, shell quoting, literal braces, refusals.
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "../../src/runners/command/expand_command.hpp"

namespace dli::command_runner {
namespace {

// The values dli-run-command passes, as it passes them (docs/command-runner.md).
std::map<std::string, std::string> runner_values() {
  return {
      {"model", "/work/models/mobilenet_v2.pt"},
      {"config", ""},
      {"dataset", "/work/data/digits.dlidata"},
      {"batch", "8"},
      {"threads", "4"},
      {"requests", "2"},
      {"device", "cuda:0"},
      {"mode", "async"},
      {"format", "torchscript"},
      {"precision", "fp32"},
      {"input_shape", "3,224,224"},
      {"iterations", "100"},
      {"min_s", "1.5"},
      {"warmup_iterations", "5"},
      {"warmup_s", "0"},
      {"request", "/work/runs/r1/request.json"},
      {"result", "/work/runs/r1/result.json"},
  };
}

std::string expand(const std::string& pattern) { return expand_command(pattern, runner_values()); }

// The message of the std::invalid_argument that expand throws; fails the test when it does not throw.
std::string refusal(const std::string& pattern) {
  try {
    const std::string line = expand(pattern);
    ADD_FAILURE() << "'" << pattern << "' expanded to '" << line << "' instead of being refused";
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

TEST(ExpandCommand, EachPlaceholderBecomesItsValueInSingleQuotes) {
  for (const auto& [name, value] : runner_values()) {
    EXPECT_EQ(expand("tool --x {" + name + "} end"), "tool --x '" + value + "' end") << name;
  }
}

TEST(ExpandCommand, AWholeCommandLine) {
  EXPECT_EQ(expand("/usr/bin/python3 /opt/bench.py --model {model} --batch {batch} --threads {threads} "
                   "--min-time {min_s} --result {result}"),
            "/usr/bin/python3 /opt/bench.py --model '/work/models/mobilenet_v2.pt' --batch '8' --threads '4' "
            "--min-time '1.5' --result '/work/runs/r1/result.json'");
}

TEST(ExpandCommand, TextWithoutPlaceholdersIsCopiedAsItIs) {
  EXPECT_EQ(expand(""), "");
  EXPECT_EQ(expand("trtexec --fp16 'a b' \"$HOME\" | tail -n 3; exit 0"),
            "trtexec --fp16 'a b' \"$HOME\" | tail -n 3; exit 0");
}

TEST(ExpandCommand, PlaceholdersNextToTextAndRepeated) {
  EXPECT_EQ(expand("-b{batch}x{batch} --shape={input_shape}"), "-b'8'x'8' --shape='3,224,224'");
}

TEST(ExpandCommand, AnEmptyValueIsAnEmptyWord) { EXPECT_EQ(expand("run {config} next"), "run '' next"); }

TEST(ExpandCommand, ValuesWithSpacesStayOneWord) {
  EXPECT_EQ(expand_command("load {model}", {{"model", "/data/my models/mobile net.pt"}}),
            "load '/data/my models/mobile net.pt'");
}

TEST(ExpandCommand, SingleQuotesInValuesAreEscaped) {
  EXPECT_EQ(expand_command("load {model}", {{"model", "/data/lab's model.pt"}}), "load '/data/lab'\\''s model.pt'");
  EXPECT_EQ(expand_command("{v}", {{"v", "'"}}), "''\\'''");
  EXPECT_EQ(expand_command("{v}", {{"v", "''"}}), "''\\'''\\'''");
}

TEST(ExpandCommand, ShellCharactersInValuesAreInert) {
  EXPECT_EQ(expand_command("{v}", {{"v", "$(rm -rf /) `id` \"x\" ; & | > \\ * ~"}}),
            "'$(rm -rf /) `id` \"x\" ; & | > \\ * ~'");
}

TEST(ExpandCommand, AValueIsNeverExpandedAgain) {
  EXPECT_EQ(expand_command("{a}", {{"a", "{b}"}, {"b", "no"}}), "'{b}'");
}

TEST(ExpandCommand, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(expand("{{"), "{");
  EXPECT_EQ(expand("}}"), "}");
  EXPECT_EQ(expand("echo ${{HOME}}"), "echo ${HOME}");
  EXPECT_EQ(expand("{{model}}"), "{model}") << "escaped, not substituted";
  EXPECT_EQ(expand("{{{batch}}}"), "{'8'}");
  EXPECT_EQ(expand("awk '{{print $1}}' {result}"), "awk '{print $1}' '/work/runs/r1/result.json'");
}

TEST(ExpandCommand, AnUnknownPlaceholderIsRefusedByName) {
  const std::string message = refusal("run --model {modle} --batch {batch}");
  EXPECT_NE(message.find("unknown placeholder {modle}"), std::string::npos) << message;
  EXPECT_NE(message.find("{model}"), std::string::npos) << "lists the known ones: " << message;
  EXPECT_NE(message.find("position 12"), std::string::npos) << message;
  EXPECT_THROW(expand_command("{model}", {}), std::invalid_argument);
  EXPECT_THROW(expand("{dir}/bench.py"), std::invalid_argument);
}

TEST(ExpandCommand, UnbalancedBracesAreRefused) {
  EXPECT_NE(refusal("run {model").find("unbalanced '{'"), std::string::npos);
  EXPECT_NE(refusal("{").find("unbalanced '{'"), std::string::npos);
  EXPECT_NE(refusal("run } here").find("unbalanced '}'"), std::string::npos);
  EXPECT_NE(refusal("}").find("unbalanced '}'"), std::string::npos);
  EXPECT_NE(refusal("{model}}").find("unbalanced '}'"), std::string::npos);
  EXPECT_NE(refusal("{{model}").find("unbalanced '}'"), std::string::npos);
  EXPECT_NE(refusal("awk '{print $1}'").find("malformed placeholder"), std::string::npos);
}

TEST(ExpandCommand, MalformedNamesAreRefused) {
  EXPECT_NE(refusal("{}").find("empty placeholder"), std::string::npos);
  EXPECT_NE(refusal("{ model }").find("malformed placeholder"), std::string::npos);
  EXPECT_NE(refusal("{Model}").find("malformed placeholder"), std::string::npos);
  EXPECT_NE(refusal("{a{model}").find("malformed placeholder"), std::string::npos);
}

TEST(ShellQuote, TheShellReadsEachValueBackExactly) {
  for (const std::string value : {"", "plain", "with space", "it's", "''", "\"$HOME\" `id` $(id) \\n;|&<>*?~#",
                                  "tab\there", "new\nline", "{batch}"}) {
    FILE* pipe = ::popen(("/bin/sh -c " + shell_quote("printf %s " + shell_quote(value))).c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string echoed;
    char buffer[256];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) echoed.append(buffer, got);
    EXPECT_EQ(::pclose(pipe), 0);
    EXPECT_EQ(echoed, value);
  }
}

}  // namespace
}  // namespace dli::command_runner
