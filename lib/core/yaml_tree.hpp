#pragma once
// The two YAML trees a reader can walk -- yaml-cpp's and the fast subset's
// (core/yaml_subset.hpp) -- behind one set of questions, so one template of reading
// code runs over both and gives the same results and the same errors. A Node is a
// cheap handle that stays valid while its document lives.
#include <string>
#include <string_view>
#include <functional>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/yaml_subset.hpp"

namespace preflight {

struct YamlCppTree {
  using Node = YAML::Node;
  static bool is_map(const Node& n) { return n.IsMap(); }
  static bool is_scalar(const Node& n) { return n.IsScalar(); }
  static bool is_sequence(const Node& n) { return n.IsSequence(); }
  // The scalar's text; empty for nulls and collections (as YAML::Node::Scalar).
  static std::string_view scalar(const Node& n) { return n.Scalar(); }
  static bool plain(const Node& n) { return n.Tag() == "?"; }
  static yaml_subset::Mark mark(const Node& n) { return {n.Mark().line, n.Mark().column}; }
  static size_t size(const Node& n) { return n.size(); }
  static Node item(const Node& n, size_t i) { return n[i]; }
  static Node first_key(const Node& n) { return (*n.begin()).first; }  // of a non-empty map
  static Node first_value(const Node& n) { return (*n.begin()).second; }
  template <class F>
  static void each_entry(const Node& n, F&& f) {
    for (const auto& kv : n) f(kv.first, kv.second);
  }
};

struct SubsetTree {
  using Node = const yaml_subset::Node*;
  static bool is_map(Node n) { return n->is_map(); }
  static bool is_scalar(Node n) { return n->is_scalar(); }
  static bool is_sequence(Node n) { return n->is_sequence(); }
  static std::string_view scalar(Node n) { return n->scalar(); }
  static bool plain(Node n) { return n->plain(); }
  static yaml_subset::Mark mark(Node n) { return n->mark(); }
  static size_t size(Node n) { return n->size(); }
  static Node item(Node n, size_t i) { return &n->item(i); }
  static Node first_key(Node n) { return &n->key(0); }  // of a non-empty map
  static Node first_value(Node n) { return &n->value(0); }
  template <class F>
  static void each_entry(Node n, F&& f) {
    for (size_t i = 0; i < n->size(); ++i) f(&n->key(i), &n->value(i));
  }
};

// "<origin>:<line>:<col>" (1-based) of a mark; just origin when the mark is unset.
// The same text as yaml_location for the same mark.
inline std::string yaml_mark_location(const std::string& origin, const yaml_subset::Mark& m) {
  if (m.line < 0) return origin;
  return origin + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// load_yaml's refusal of a key given twice in one map, for a subset tree (which
// keeps duplicates): the same first duplicate in the same walk, the same words.
// load_yaml's depth and node limits cannot trigger here: the subset's are lower.
inline void refuse_duplicate_keys(const yaml_subset::Node& n, const std::string& origin, const std::string& hint) {
  if (n.is_sequence()) {
    for (size_t i = 0; i < n.size(); ++i) refuse_duplicate_keys(n.item(i), origin, hint);
  } else if (n.is_map()) {
    // Big maps (a fleet's 10,000 hosts): an open-addressing table of the keys' texts,
    // allocated once (a node per key was a third of this walk); small ones are scanned.
    std::vector<std::string_view> table;
    size_t mask = 0;
    if (n.size() > 16) {
      size_t cap = 32;
      while (cap < 2 * n.size()) cap *= 2;
      table.assign(cap, std::string_view());
      mask = cap - 1;
    }
    std::vector<bool> used(table.size(), false);
    for (size_t i = 0; i < n.size(); ++i) {
      const yaml_subset::Node& key = n.key(i);
      bool twice = false;
      if (key.is_scalar() && n.size() <= 16) {
        for (size_t j = 0; j < i && !twice; ++j) twice = n.key(j).is_scalar() && n.key(j).scalar() == key.scalar();
      } else if (key.is_scalar()) {
        const std::string_view text = key.scalar();
        for (size_t slot = std::hash<std::string_view>{}(text) & mask;; slot = (slot + 1) & mask) {
          if (!used[slot]) {
            used[slot] = true;
            table[slot] = text;
            break;
          }
          if (table[slot] == text) {
            twice = true;
            break;
          }
        }
      }
      if (twice)
        throw Error(yaml_mark_location(origin, key.mark()) + ": duplicate key '" + std::string(key.scalar()) + "'",
                    hint);
      refuse_duplicate_keys(key, origin, hint);
      refuse_duplicate_keys(n.value(i), origin, hint);
    }
  }
}

}  // namespace preflight
