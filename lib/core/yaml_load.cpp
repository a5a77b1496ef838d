#include "core/yaml_load.hpp"

#include <set>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>

#include "core/error.hpp"

namespace preflight {
namespace {

constexpr int kMaxDepth = 64;            // nesting levels
constexpr size_t kMaxNodes = 1'000'000;  // nodes visited, aliases expanded (an alias bomb stops here)

// Refuses what yaml-cpp accepts silently: a key given twice in one map (readers
// would take the first or the last), nesting deeper than kMaxDepth, and documents
// whose aliases expand beyond kMaxNodes.
class Validator {
 public:
  Validator(const std::string& origin, const std::string& hint, bool duplicates)
      : origin_(origin), hint_(hint), duplicates_(duplicates) {}

  void visit(const YAML::Node& n, int depth) {
    if (++visited_ > kMaxNodes)
      throw Error(yaml_location(origin_, n.Mark()) + ": more than " + std::to_string(kMaxNodes) +
                      " YAML nodes (aliases expanded): refused",
                  hint_);
    if (depth > kMaxDepth)
      throw Error(yaml_location(origin_, n.Mark()) + ": nested deeper than " + std::to_string(kMaxDepth) +
                      " levels: refused",
                  hint_);
    if (n.IsSequence()) {
      for (const auto& item : n) visit(item, depth + 1);
    } else if (n.IsMap()) {
      std::set<std::string> keys;
      for (const auto& kv : n) {
        if (duplicates_ && kv.first.IsScalar() && !keys.insert(kv.first.Scalar()).second)
          throw Error(yaml_location(origin_, kv.first.Mark()) + ": duplicate key '" + kv.first.Scalar() + "'", hint_);
        visit(kv.first, depth + 1);
        visit(kv.second, depth + 1);
      }
    }
  }

 private:
  const std::string& origin_;
  const std::string& hint_;
  bool duplicates_;
  size_t visited_ = 0;
};

// The start of each document of a stream, without building nodes.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::string yaml_location(const std::string& origin, const YAML::Mark& mark) {
  if (mark.line < 0) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

YamlDocuments load_yaml_documents(const std::string& text, const std::string& origin, const std::string& hint) {
  // Where each document starts, read by a parser that stops at the second: yaml-cpp
  // 0.7's LoadAll never returns (and allocates without end) when a document cannot
  // start where its parser stands, as at a leading ',' (yaml-cpp issue 1040): the
  // parser then yields empty documents at that same place, again and again.
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
  }
  YamlDocuments docs;
  if (starts.marks.size() == 2) {
    const YAML::Mark& second = starts.marks[1];
    if (second.pos == starts.marks[0].pos) {
      const bool inside = second.pos >= 0 && static_cast<size_t>(second.pos) < text.size();
      throw Error(yaml_location(origin, second) + ": malformed YAML: " +
                      (inside ? std::string("unexpected '") + text[static_cast<size_t>(second.pos)] + "'"
                              : std::string("no document")),
                  hint);
    }
    docs.second = second;
  }
  docs.first = YAML::Load(text);
  return docs;
}

YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint) {
  YAML::Node root;
  try {
    YamlDocuments docs = load_yaml_documents(text, origin, hint);
    if (docs.second)
      throw Error(yaml_location(origin, *docs.second) + ": a second YAML document; the file holds one", hint);
    root = std::move(docs.first);
  } catch (const YAML::Exception& e) {
    throw Error(yaml_location(origin, e.mark) + ": malformed YAML: " + e.msg, hint);
  }
  Validator(origin, hint, true).visit(root, 0);
  return root;
}

void check_yaml_limits(const YAML::Node& root, const std::string& origin, const std::string& hint) {
  Validator(origin, hint, false).visit(root, 0);
}

}  // namespace preflight
