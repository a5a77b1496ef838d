#include "core/yaml_load.hpp"

#include <yaml-cpp/depthguard.h>

#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

constexpr int kMaxDepth = kMaxNestingDepth;  // nesting levels
constexpr size_t kMaxNodes = kMaxYamlNodes;  // nodes visited, aliases expanded (an alias bomb stops here)

// Refuses what yaml-cpp accepts silently: a key given twice in one map (readers
// would take the first or the last), nesting deeper than kMaxDepth, documents
// whose aliases expand beyond kMaxNodes, and scalars longer than kMaxStringBytes.
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
    if (n.IsScalar() && n.Scalar().size() > kMaxStringBytes)
      throw Error(yaml_location(origin_, n.Mark()) + ": a value of " + std::to_string(n.Scalar().size()) +
                      " bytes, above the limit of " + std::to_string(kMaxStringBytes) + " bytes for one value: refused",
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

// Where each document of a stream starts (the mark of its root node, as
// YAML::Node::Mark gives it), without building nodes.
class DocumentStarts : public YAML::EventHandler {
 public:
  size_t documents = 0;
  std::vector<YAML::Mark> marks;  // one per document
  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (marks.size() < documents) marks.push_back(mark);
  }
};

}  // namespace

std::string yaml_location(const std::string& origin, const YAML::Mark& mark) {
  if (mark.line < 0) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void check_yaml_text(const std::string& text, const std::string& origin, const std::string& hint) {
  if (const size_t bad = utf8_error_offset(text); bad != std::string::npos)
    throw Error(text_location(text, origin, bad) + ": not UTF-8 text (YAML is UTF-8)", hint);
}

YamlDocuments load_yaml_documents(const std::string& text, const std::string& origin, const std::string& hint) {
  // Where each document starts, read by a parser that stops at the second: yaml-cpp
  // 0.7's LoadAll never returns (and allocates without end) when a document cannot
  // start where its parser stands, as at a leading ',' (yaml-cpp issue 1040): the
  // parser then yields empty documents at that same place, again and again.
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  while (starts.documents < 2 && parser.HandleNextDocument(starts)) {
  }
  YamlDocuments docs;
  if (starts.documents >= 2) {
    const YAML::Mark second = starts.marks.size() >= 2 ? starts.marks[1] : YAML::Mark::null_mark();
    if (starts.marks.size() >= 2 && second.pos == starts.marks[0].pos) {
      const bool inside = second.pos >= 0 && static_cast<size_t>(second.pos) < text.size();
      const unsigned char c = inside ? static_cast<unsigned char>(text[static_cast<size_t>(second.pos)]) : 0;
      const std::string what = !inside                 ? "no document"
                               : c >= 0x20 && c < 0x7f ? std::string("unexpected '") + static_cast<char>(c) + "'"
                                                       : fmt::format("unexpected byte 0x{:02x}", c);
      throw Error(yaml_location(origin, second) + ": malformed YAML: " + what, hint);
    }
    docs.second = second;
  }
  docs.first = YAML::Load(text);
  return docs;
}

YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint) {
  check_yaml_text(text, origin, hint);
  YAML::Node root;
  try {
    YamlDocuments docs = load_yaml_documents(text, origin, hint);
    if (docs.second)
      throw Error(yaml_location(origin, *docs.second) + ": a second YAML document; the file holds one", hint);
    root = std::move(docs.first);
  } catch (const YAML::DeepRecursion& e) {
    throw Error(yaml_location(origin, e.mark) + ": nested deeper than " + std::to_string(kMaxDepth) + " levels: refused",
                hint);
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
