#include "core/yaml_load.hpp"

#include <yaml-cpp/depthguard.h>

#include <set>

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

}  // namespace

std::string yaml_location(const std::string& origin, const YAML::Mark& mark) {
  if (mark.line < 0) return origin;
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void check_yaml_text(const std::string& text, const std::string& origin, const std::string& hint) {
  if (const size_t bad = utf8_error_offset(text); bad != std::string::npos)
    throw Error(text_location(text, origin, bad) + ": not UTF-8 text (YAML is UTF-8)", hint);
}

YAML::Node load_yaml(const std::string& text, const std::string& origin, const std::string& hint) {
  check_yaml_text(text, origin, hint);
  YAML::Node root;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.size() > 1)
      throw Error(yaml_location(origin, docs[1].Mark()) + ": a second YAML document; the file holds one", hint);
    if (!docs.empty()) root = docs[0];
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
