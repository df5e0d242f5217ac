#include "yaml_limits.hpp"

#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "dli/config/config_limits.hpp"

namespace dli::config_yaml {
namespace {

using namespace config_limits;

// Thrown by the handler to end the parse once a limit that bounds time or memory is reached (already reported).
struct LimitReached {};

SourceMark to_source_mark(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Follows the events with a stack of open lists and maps, enough to name the key path of any value.
class LimitChecker : public YAML::EventHandler {
 public:
  explicit LimitChecker(Problems& problems) : problems_(problems) {}
  bool ok() const { return ok_; }

  void OnDocumentStart(const YAML::Mark&) override { stack_.clear(); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { leaf(mark, nullptr); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { leaf(mark, nullptr); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string& value) override {
    leaf(mark, &value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    open(mark, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool is_map = false;
    SourceMark mark;
    std::size_t items = 0;  // list items, or map entries
    bool at_key = true;     // maps: the next node is a key
    std::string key;        // maps: the key of the value being read
  };

  // The path of the node whose event is being handled: one segment per open list or map.
  std::string path(std::size_t frames) const {
    std::string text;
    for (std::size_t i = 0; i < frames; ++i) {
      const Frame& frame = stack_[i];
      if (!frame.is_map) {
        text = index_path(text, frame.items - 1);
      } else if (frame.at_key) {
        break;  // inside a key: the map's path is as close as a path gets
      } else {
        text = key_path(text, frame.key);
      }
    }
    return text;
  }

  [[noreturn]] void stop(SourceMark at, const std::string& key, const std::string& message) {
    problems_.add(at, key, message);
    ok_ = false;
    throw LimitReached{};
  }

  // Counts a new node in the file and in the list or map holding it.
  void enter(const YAML::Mark& mark) {
    if (++nodes_ > kMaxNodes) {
      stop(to_source_mark(mark), path(stack_.size()),
           fmt::format("more than {} values in one file (the limit; docs/config.md, Limits)", kMaxNodes));
    }
    if (stack_.empty()) return;
    Frame& parent = stack_.back();
    if (parent.is_map && !parent.at_key) return;  // a value: its key was counted
    if (++parent.items > kMaxItems) {
      stop(parent.mark, path(stack_.size() - 1),
           fmt::format("more than {} {} (the limit; docs/config.md, Limits)", kMaxItems,
                       parent.is_map ? "entries in one map" : "items in one list"));
    }
  }

  // A node is complete: in a map, a key is followed by its value, a value by the next key.
  void done() {
    if (stack_.empty() || !stack_.back().is_map) return;
    stack_.back().at_key = !stack_.back().at_key;
  }

  void leaf(const YAML::Mark& mark, const std::string* text) {
    enter(mark);
    const bool is_key = !stack_.empty() && stack_.back().is_map && stack_.back().at_key;
    if (text && text->size() > kMaxTextBytes) {
      ok_ = false;
      problems_.add(to_source_mark(mark), path(stack_.size()),
                    fmt::format("{} of {} bytes, longer than the limit of {} (docs/config.md, Limits)",
                                is_key ? "a key" : "a text", text->size(), kMaxTextBytes));
    }
    if (is_key) stack_.back().key = text && text->size() <= kMaxTextBytes ? *text : "?";
    done();
  }

  void open(const YAML::Mark& mark, bool is_map) {
    enter(mark);
    const bool is_key = !stack_.empty() && stack_.back().is_map && stack_.back().at_key;
    if (is_key) stack_.back().key = "?";  // a list or map as a key: refused later, named by its position
    if (stack_.size() >= kMaxDepth) {
      stop(to_source_mark(mark), path(stack_.size()),
           fmt::format("lists and maps nested deeper than {} levels (the limit; docs/config.md, Limits)", kMaxDepth));
    }
    stack_.push_back(Frame{is_map, to_source_mark(mark), 0, true, ""});
  }

  void close() {
    if (!stack_.empty()) stack_.pop_back();
    done();
  }

  Problems& problems_;
  std::vector<Frame> stack_;
  std::size_t nodes_ = 0;
  bool ok_ = true;
};

}  // namespace

bool check_yaml_limits(const std::string& text, Problems& problems) {
  LimitChecker checker(problems);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(checker)) {
    }
  } catch (const LimitReached&) {
    return false;
  } catch (const YAML::Exception& error) {
    problems.add(to_source_mark(error.mark), "", "invalid YAML: " + error.msg);
    return false;
  }
  return checker.ok();
}

}  // namespace dli::config_yaml
