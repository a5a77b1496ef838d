#pragma once
// A strict, fast reader of the small YAML subset that yaml-cpp's emitter writes for
// preflight's own files, with yaml-cpp's meaning on that subset. It says "not mine"
// (nullopt) for everything else, and the caller then parses with yaml-cpp: the
// subset never guesses, and never gives an error of its own.
//
// The subset, on one document of ASCII text whose only control character is '\n'
// (no tabs, no '\r'):
//  - a block map at column 0 on top; block maps and block sequences by indentation
//    (a sequence indented under its key; `- key: value` starts a map in an item);
//  - flow sequences and maps that open and close on one line, nesting allowed;
//    flow map keys are plain words ([A-Za-z0-9_][A-Za-z0-9_.-]*) followed by ": ";
//  - plain scalars on one line, with yaml-cpp's rules for where they may start and
//    end; single-quoted ('' for ') and double-quoted scalars on one line, with the
//    escapes \0 \a \b \t \n \v \f \r \e \" \' \\ \/ and \xHH (HH below 0x80);
//  - `#` comments after a space, blank lines; an empty value (`key:`, `-`).
// Outside it: anchors, aliases, tags, directives, `---`/`...`, block scalars (| >),
// `?` keys, multi-line scalars or flows, indentless sequences, non-ASCII text, an
// empty document, nesting deeper than kMaxSubsetDepth, more than kMaxSubsetNodes
// nodes, and anything else yaml-cpp would reject or read in a way not listed here.
// Meaning, as yaml-cpp's: a plain `~`, `null`, `Null`, `NULL` or empty value is a
// null node; quoted text is always a scalar; plain scalars lose trailing spaces.
// Marks are yaml-cpp's too (0-based line and column of the node's first character;
// a block map at its first key, a null from an empty value at the next token).
// Duplicate keys are kept: the reader decides.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace preflight::yaml_subset {

inline constexpr int kMaxSubsetDepth = 60;           // below yaml_load's 64 levels
inline constexpr size_t kMaxSubsetNodes = 500'000;   // below yaml_load's 1,000,000

struct Mark {
  int line = -1;  // 0-based
  int column = -1;
};

enum class Kind : uint8_t { null, scalar, sequence, map };

class Node {
 public:
  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_scalar() const { return kind_ == Kind::scalar; }
  bool is_sequence() const { return kind_ == Kind::sequence; }
  bool is_map() const { return kind_ == Kind::map; }
  // Written without quotes (yaml-cpp's tag "?"): plain scalars, nulls, collections.
  bool plain() const { return plain_; }
  Mark mark() const { return mark_; }
  // The scalar's text, unquoted and unescaped; empty for the other kinds.
  std::string_view scalar() const { return {text_, text_size_}; }
  // Items of a sequence, entries of a map, 0 otherwise.
  size_t size() const { return kind_ == Kind::map ? count_ / 2 : count_; }
  const Node& item(size_t i) const { return children_[i]; }        // sequence
  const Node& key(size_t i) const { return children_[2 * i]; }     // map
  const Node& value(size_t i) const { return children_[2 * i + 1]; }

 private:
  friend class Parser;
  Kind kind_ = Kind::null;
  bool plain_ = true;
  bool decoded_ = false;  // while parsing: text_offset_ is into Document::decoded_
  Mark mark_;
  const char* text_ = nullptr;
  uint32_t text_size_ = 0;
  uint32_t count_ = 0;
  size_t offset_ = 0;  // while parsing: first child in the arena, or decoded text
  const Node* children_ = nullptr;
};

// The parsed tree. It points into the text it was parsed from: keep that text alive
// and unchanged while the document is used.
class Document {
 public:
  const Node& root() const { return arena_.back(); }

 private:
  friend class Parser;
  std::vector<Node> arena_;   // every collection's children side by side; the root last
  std::vector<char> decoded_;  // scalars whose text differs from the source (escapes)
};

// The tree of `text`, or nullopt when the text is outside the subset.
std::optional<Document> parse(std::string_view text);

}  // namespace preflight::yaml_subset
