#include "core/yaml_subset.hpp"

#include <string_view>

#include "core/input_limits.hpp"

namespace preflight::yaml_subset {

namespace {

struct OutsideSubset {};  // thrown inside the parser, caught by parse()

[[noreturn]] void outside() { throw OutsideSubset{}; }

bool is_null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_blank_or_end(char c) { return c == ' ' || c == '\n' || c == '\0'; }

// Characters that cannot start a plain scalar (yaml-cpp's PlainScalar and
// PlainScalarInFlow), blanks and the end included; '?' only in flow.
struct StartTable {
  bool block[256] = {};
  bool flow[256] = {};
  constexpr StartTable() {
    for (const char c : std::string_view(",[]{}#&*!|>'\"%@` \n\0", 19)) {
      block[static_cast<unsigned char>(c)] = true;
      flow[static_cast<unsigned char>(c)] = true;
    }
    flow[static_cast<unsigned char>('?')] = true;
  }
};
constexpr StartTable kNotPlainStart;

// Characters a plain scalar's loop passes over with nothing to decide: printable
// ASCII but the blank and those that may end it (':', '#'; in flow also ",[]{}?").
// Scanned in a run (a fleet inventory is 10,000 lines of such text); every other
// character goes through the loop's own tests.
struct RunTable {
  bool block[256] = {};
  bool flow[256] = {};
  constexpr RunTable() {
    for (int c = 0x21; c < 0x7f; ++c) block[c] = flow[c] = true;
    block[static_cast<unsigned char>(':')] = block[static_cast<unsigned char>('#')] = false;
    for (const char c : std::string_view(":#,[]{}?")) flow[static_cast<unsigned char>(c)] = false;
  }
};
constexpr RunTable kPlainRun;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// One pass over the text; every collection's finished children go to the arena
// together, so a node's children are contiguous. `scratch_` holds the nodes of the
// collections still open.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Document run() {
    bool odd = false;  // tabs, '\r', other controls, non-ASCII (no early exit: the loop vectorises)
    for (const char c : s_) {
      const auto u = static_cast<unsigned char>(c);
      odd |= (u >= 0x80) | ((u < 0x20) & (u != '\n'));
    }
    if (odd) outside();
    scratch_.reserve(64);
    doc_.arena_.reserve(s_.size() / 8);
    skip_to_content();
    if (at_end() || indent_ != 0) outside();  // empty, or not a map at column 0
    parse_block_map(0, 0);
    if (!at_end()) outside();  // content that is not inside the top map
    doc_.arena_.push_back(scratch_.back());
    for (Node& n : doc_.arena_) {
      if (n.kind_ == Kind::sequence || n.kind_ == Kind::map) n.children_ = doc_.arena_.data() + n.offset_;
      if (n.decoded_) n.text_ = doc_.decoded_.data() + n.offset_;
    }
    return std::move(doc_);
  }

 private:
  // --- position ------------------------------------------------------------------
  char peek(size_t ahead = 0) const { return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }
  Mark mark() const { return {line_, static_cast<int>(pos_ - line_start_)}; }
  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }

  // From anywhere on a line: past blank and comment lines to the first character of
  // the next content line; indent_ is its column. At the end, indent_ is -1.
  void skip_to_content() {
    for (;;) {
      const size_t nl = s_.find('\n', pos_);
      skip_spaces();
      if (!at_end() && peek() != '\n' && peek() != '#') {
        indent_ = static_cast<int>(pos_ - line_start_);
        return;
      }
      if (nl == std::string_view::npos) {
        pos_ = s_.size();
        indent_ = -1;
        return;
      }
      pos_ = nl + 1;
      line_start_ = pos_;
      ++line_;
    }
  }

  // After a value on its line: spaces, an optional comment (after a space), the line end.
  void end_of_line() {
    skip_spaces();
    if (peek() == '#' && pos_ > 0 && s_[pos_ - 1] == ' ') {
      const size_t nl = s_.find('\n', pos_);
      pos_ = nl == std::string_view::npos ? s_.size() : nl;
    }
    if (!at_end() && peek() != '\n') outside();
  }

  // --- nodes -----------------------------------------------------------------------
  void push_scalar(Mark m, bool plain, size_t begin, size_t end) {
    if (end - begin > kMaxStringBytes) outside();  // yaml-cpp's reading names the limit
    Node n;
    n.mark_ = m;
    n.plain_ = plain;
    n.text_ = s_.data() + begin;
    n.text_size_ = static_cast<uint32_t>(end - begin);
    n.kind_ = plain && is_null_text(n.scalar()) ? Kind::null : Kind::scalar;
    push(n);
  }
  void push_null(Mark m) {
    Node n;
    n.mark_ = m;
    push(n);
  }
  void push(const Node& n) {
    if (++nodes_ > kMaxSubsetNodes) outside();
    scratch_.push_back(n);
  }
  // The children pushed since `base` become the children of a new collection node.
  void close(Kind kind, Mark m, size_t base) {
    Node n;
    n.kind_ = kind;
    n.mark_ = m;
    n.offset_ = doc_.arena_.size();
    n.count_ = static_cast<uint32_t>(scratch_.size() - base);
    doc_.arena_.insert(doc_.arena_.end(), scratch_.begin() + static_cast<ptrdiff_t>(base), scratch_.end());
    scratch_.resize(base);
    push(n);
  }
  void enter(int& depth) {
    if (++depth > kMaxSubsetDepth) outside();
  }

  // --- scalars ---------------------------------------------------------------------
  // A plain scalar in block context, from pos_; stops before ": "/":\n", " #" or the line end.
  // Returns true when it stopped at a ':' that makes it a key.
  bool plain_block_scalar() {
    const char c = peek();
    if (kNotPlainStart.block[static_cast<unsigned char>(c)]) outside();
    if ((c == '-' || c == '?' || c == ':') && is_blank_or_end(peek(1))) outside();
    if (pos_ == line_start_ && (s_.substr(pos_, 3) == "---" || s_.substr(pos_, 3) == "...")) outside();
    const Mark m = mark();
    const size_t begin = pos_;
    size_t last = pos_;  // one past the last non-space
    bool key = false;
    for (;;) {
      if (pos_ < s_.size() && kPlainRun.block[static_cast<unsigned char>(s_[pos_])]) {
        do ++pos_;
        while (pos_ < s_.size() && kPlainRun.block[static_cast<unsigned char>(s_[pos_])]);
        last = pos_;
      }
      const char d = peek();
      if (d == '\n' || d == '\0') break;
      if (d == ':' && is_blank_or_end(peek(1))) {
        key = true;
        break;
      }
      if (d == '#' && s_[pos_ - 1] == ' ') break;
      ++pos_;
      if (d != ' ') last = pos_;
    }
    push_scalar(m, true, begin, last);
    return key;
  }

  // A plain scalar inside a flow collection; it must end at ',', ']' or '}'.
  void plain_flow_scalar() {
    const char c = peek();
    if (kNotPlainStart.flow[static_cast<unsigned char>(c)]) outside();
    if (c == '-' && is_blank_or_end(peek(1))) outside();
    if (c == ':' && (is_blank_or_end(peek(1)) || peek(1) == ',' || peek(1) == ']' || peek(1) == '}')) outside();
    const Mark m = mark();
    const size_t begin = pos_;
    size_t last = pos_;
    for (;;) {
      if (pos_ < s_.size() && kPlainRun.flow[static_cast<unsigned char>(s_[pos_])]) {
        do ++pos_;
        while (pos_ < s_.size() && kPlainRun.flow[static_cast<unsigned char>(s_[pos_])]);
        last = pos_;
      }
      const char d = peek();
      if (d == ',' || d == ']' || d == '}') break;
      if (d == '\n' || d == '\0' || d == '?' || d == '[' || d == '{') outside();
      if (d == ':' && (is_blank_or_end(peek(1)) || peek(1) == ',' || peek(1) == ']' || peek(1) == '}')) outside();
      if (d == '#' && s_[pos_ - 1] == ' ') outside();
      ++pos_;
      if (d != ' ') last = pos_;
    }
    push_scalar(m, true, begin, last);
  }

  // A quoted scalar closed on its line; pos_ ends past the closing quote.
  void quoted_scalar() {
    const Mark m = mark();
    const char quote = peek();
    ++pos_;
    const size_t begin = pos_;
    // Fast case: no escape before the closing quote.
    for (size_t i = pos_; i < s_.size(); ++i) {
      const char d = s_[i];
      if (d == '\n') outside();
      if (d == quote && !(quote == '\'' && i + 1 < s_.size() && s_[i + 1] == '\'')) {
        pos_ = i + 1;
        push_scalar(m, false, begin, i);
        return;
      }
      if (d == '\\' && quote == '"') break;
      if (d == '\'' && quote == '\'') break;  // a '' escape
    }
    const size_t offset = doc_.decoded_.size();
    for (;;) {
      const char d = peek();
      if (d == '\n' || d == '\0') outside();
      if (quote == '\'') {
        if (d == '\'') {
          if (peek(1) != '\'') break;
          ++pos_;
        }
        doc_.decoded_.push_back(d);
        ++pos_;
        continue;
      }
      if (d == '"') break;
      if (d != '\\') {
        doc_.decoded_.push_back(d);
        ++pos_;
        continue;
      }
      const char e = peek(1);
      pos_ += 2;
      switch (e) {
        case '0': doc_.decoded_.push_back('\0'); break;
        case 'a': doc_.decoded_.push_back('\a'); break;
        case 'b': doc_.decoded_.push_back('\b'); break;
        case 't': doc_.decoded_.push_back('\t'); break;
        case 'n': doc_.decoded_.push_back('\n'); break;
        case 'v': doc_.decoded_.push_back('\v'); break;
        case 'f': doc_.decoded_.push_back('\f'); break;
        case 'r': doc_.decoded_.push_back('\r'); break;
        case 'e': doc_.decoded_.push_back('\x1b'); break;
        case '"': case '\'': case '\\': case '/': doc_.decoded_.push_back(e); break;
        case 'x': {
          const int hi = hex_digit(peek()), lo = hex_digit(peek(1));
          if (hi < 0 || lo < 0 || hi >= 8) outside();  // above 0x7f: yaml-cpp writes UTF-8
          doc_.decoded_.push_back(static_cast<char>(hi * 16 + lo));
          pos_ += 2;
          break;
        }
        default: outside();  // \u, \U, \N, \_, \L, \P, '\ ', an escaped line end, unknown
      }
    }
    ++pos_;  // the closing quote
    Node n;
    n.mark_ = m;
    n.plain_ = false;
    n.kind_ = Kind::scalar;
    n.decoded_ = true;
    n.offset_ = offset;
    n.text_size_ = static_cast<uint32_t>(doc_.decoded_.size() - offset);
    if (n.text_size_ > kMaxStringBytes) outside();
    push(n);
  }

  // --- flow collections (one line) -----------------------------------------------------
  void flow_node(int depth) {
    const char c = peek();
    if (c == '[') {
      flow_sequence(depth);
    } else if (c == '{') {
      flow_map(depth);
    } else if (c == '"' || c == '\'') {
      quoted_scalar();
    } else {
      plain_flow_scalar();
    }
  }

  void flow_sequence(int depth) {
    enter(depth);
    const Mark m = mark();
    const size_t base = scratch_.size();
    ++pos_;
    skip_spaces();
    if (peek() != ']') {
      for (;;) {
        flow_node(depth);
        skip_spaces();
        if (peek() == ']') break;
        if (peek() != ',') outside();
        ++pos_;
        skip_spaces();
      }
    }
    ++pos_;
    close(Kind::sequence, m, base);
  }

  static bool word_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  void flow_map(int depth) {
    enter(depth);
    const Mark m = mark();
    const size_t base = scratch_.size();
    ++pos_;
    skip_spaces();
    if (peek() != '}') {
      for (;;) {
        if (!word_start(peek())) outside();
        const Mark km = mark();
        const size_t begin = pos_;
        while (word_start(peek()) || peek() == '.' || peek() == '-') ++pos_;
        if (peek() != ':' || peek(1) != ' ') outside();
        push_scalar(km, true, begin, pos_);
        pos_ += 2;
        skip_spaces();
        flow_node(depth);
        skip_spaces();
        if (peek() == '}') break;
        if (peek() != ',') outside();
        ++pos_;
        skip_spaces();
      }
    }
    ++pos_;
    close(Kind::map, m, base);
  }

  // --- block collections ---------------------------------------------------------------
  // A value after `key:` or `-` on the line at pos_; `indent` is the column of the
  // collection that holds it.
  void block_value(int indent, bool in_sequence, int depth) {
    skip_spaces();
    if (peek() == '#' || peek() == '\n' || peek() == '\0') {
      // Nothing on this line: a collection indented below, or null.
      end_of_line();
      skip_to_content();
      if (indent_ > indent) {
        if (peek() == '-' && is_blank_or_end(peek(1))) {
          parse_block_sequence(indent_, depth);
        } else {
          parse_block_map(indent_, depth);
        }
      } else {
        push_null(at_end() ? end_mark(indent, in_sequence) : mark());
      }
      return;
    }
    const char c = peek();
    if (c == '[' || c == '{') {
      flow_node(depth);
    } else if (c == '"' || c == '\'') {
      quoted_scalar();
    } else if (plain_block_scalar()) {
      outside();  // `key: a: b`
    }
    end_of_line();
    skip_to_content();
    if (indent_ > indent) outside();  // a continuation line of a multi-line scalar, or worse
  }

  // A block map whose first key is at pos_, in column `indent`; returns at the first
  // content line indented less, or the end.
  void parse_block_map(int indent, int depth) {
    enter(depth);
    const Mark m = mark();
    const size_t base = scratch_.size();
    for (;;) {
      const char c = peek();
      if (c == '"' || c == '\'') {
        quoted_scalar();
        if (peek() != ':' || !is_blank_or_end(peek(1))) outside();
      } else if (!plain_block_scalar()) {
        outside();  // a line in a map that is not `key: ...`
      }
      ++pos_;  // the ':'
      block_value(indent, false, depth);
      if (at_end() || indent_ < indent) break;
      if (indent_ > indent) outside();
    }
    close(Kind::map, m, base);
  }

  // A block sequence whose first '-' is at pos_, in column `indent`.
  void parse_block_sequence(int indent, int depth) {
    enter(depth);
    const Mark m = mark();
    const size_t base = scratch_.size();
    for (;;) {
      if (peek() != '-' || !is_blank_or_end(peek(1))) outside();  // e.g. a key under a list
      ++pos_;
      skip_spaces();
      if (is_compact_map_item()) {
        parse_block_map(static_cast<int>(pos_ - line_start_), depth);
      } else {
        if (peek() == '-' && is_blank_or_end(peek(1))) outside();  // `- - x`
        block_value(indent, true, depth);
      }
      if (at_end() || indent_ < indent) break;
      if (indent_ > indent) outside();
    }
    close(Kind::sequence, m, base);
  }

  // Whether the item text at pos_ is `key: ...` (a map begins on the `-` line).
  bool is_compact_map_item() const {
    const char c = peek();
    if (c == '[' || c == '{' || c == '#' || c == '\n' || c == '\0') return false;
    size_t i = pos_;
    if (c == '"' || c == '\'') {
      for (++i; i < s_.size() && s_[i] != '\n'; ++i) {
        if (c == '"' && s_[i] == '\\') {
          ++i;
        } else if (s_[i] == c) {
          if (c == '\'' && i + 1 < s_.size() && s_[i + 1] == '\'') {
            ++i;
            continue;
          }
          return i + 1 < s_.size() && s_[i + 1] == ':';
        }
      }
      return false;
    }
    for (; i < s_.size() && s_[i] != '\n'; ++i) {
      if (s_[i] == '#' && s_[i - 1] == ' ') return false;
      if (s_[i] == ':' && (i + 1 == s_.size() || s_[i + 1] == ' ' || s_[i + 1] == '\n')) return true;
    }
    return false;
  }

  // yaml-cpp's mark for what follows the last token, when that is the end of the
  // text: the end itself (line breaks counted, column after the last one) when the
  // scanner closes the innermost collection there (it holds the value; `indent` is its
  // column), else the same line at column 0.
  Mark end_mark(int indent, bool in_sequence) const {
    int lines = 0;
    for (const char c : s_) lines += c == '\n';
    const size_t nl = s_.rfind('\n');
    const int column = static_cast<int>(s_.size() - (nl == std::string_view::npos ? 0 : nl + 1));
    const bool closed_here = indent > column || (indent == column && in_sequence);
    return {lines, closed_here ? column : 0};
  }

  std::string_view s_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 0;
  int indent_ = 0;
  size_t nodes_ = 0;
  std::vector<Node> scratch_;
  Document doc_;
};

std::optional<Document> parse(std::string_view text) {
  try {
    return Parser(text).run();
  } catch (const OutsideSubset&) {
    return std::nullopt;
  }
}

}  // namespace preflight::yaml_subset
