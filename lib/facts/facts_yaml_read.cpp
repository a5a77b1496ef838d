// YAML -> HostFacts, failing closed. The keys come from facts_yaml_fields.hpp.
#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>

#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"
#include "core/yaml_subset.hpp"
#include "core/yaml_tree.hpp"
#include "facts/facts_yaml.hpp"
#include "facts/facts_yaml_fields.hpp"
#include "facts/facts_yaml_readers.hpp"

namespace preflight {

namespace {

using facts_yaml::Fields;
using facts_yaml::Record;
using facts_yaml::Style;

template <class T> struct IsFact : std::false_type {};
template <class T> struct IsFact<Fact<T>> : std::true_type {
  using value_type = T;
};
template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

const char* const kFixHint = "fix the file, or collect the facts again with `preflight collect`";
const char* const kCountHint =
    "collect the facts again with `preflight collect` (or, for a file edited by hand, correct or remove the count)";
const std::string kSchemaHint =
    fmt::format("collect the facts again with this preflight (it reads schema_version {})", kFactsSchemaVersion);

using yaml_subset::Mark;

// A key path kept on the stack while reading and written out only for a message:
// "host.cpu.cpuid[3][4]"; the root is empty.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // a map key; unused for an index
  size_t index = 0;
  bool is_index = false;

  Path child(std::string_view k) const { return {this, k, 0, false}; }
  Path at(size_t i) const { return {this, {}, i, true}; }
  std::string str() const {
    if (!parent) return std::string(key);
    std::string up = parent->str();
    if (is_index) return fmt::format("{}[{}]", up, index);
    return up.empty() ? std::string(key) : up + "." + std::string(key);
  }
};

template <class Tree>
class Reader {
 public:
  using Node = typename Tree::Node;
  explicit Reader(const std::string& origin) : origin_(origin) {}

  [[noreturn]] void fail(const Node& node, const Path& path, const std::string& what,
                         const std::string& hint = kFixHint) const {
    fail_at(Tree::mark(node), path.str(), what, hint);
  }
  [[noreturn]] void fail_at(const Mark& mark, const std::string& path, const std::string& what,
                            const std::string& hint = kFixHint) const {
    throw Error(fmt::format("{}: {}{}", yaml_mark_location(origin_, mark), path.empty() ? "" : path + ": ", what), hint);
  }

  const std::string& origin() const { return origin_; }

  template <class T>
  void read(const Node& node, const Path& path, T& out, Style style = Style::plain) const;

 private:
  std::string origin_;
};

// The keys of one YAML map, read through Fields<T>::each; finish() rejects the rest.
template <class Tree>
class FieldReader {
 public:
  using Node = typename Tree::Node;
  FieldReader(const Reader<Tree>& reader, const Node& node, const Path& path) : reader_(reader), path_(path) {
    if (!Tree::is_map(node)) reader_.fail(node, path_, "expected a map");
    entries_.reserve(Tree::size(node));
    Tree::each_entry(node, [this](const Node& key_node, const Node& value) {
      if (!Tree::is_scalar(key_node)) reader_.fail(key_node, path_, "expected a string key");
      const std::string_view key = Tree::scalar(key_node);
      for (const auto& e : entries_) {
        if (e.key == key) reader_.fail(key_node, path_, fmt::format("duplicate key '{}'", key));
      }
      entries_.push_back({key, Tree::mark(key_node), value, false});
    });
  }

  // The value of `key`, marked as read; nullptr when absent.
  const Node* find(const char* key) {
    known_.push_back(key);
    for (auto& e : entries_) {
      if (e.key == key) {
        e.used = true;
        return &e.value;
      }
    }
    return nullptr;
  }

  template <class T>
  void operator()(const char* key, T& field, Style style = Style::plain) {
    if (style == Style::count) {  // the next field's length (facts_yaml_fields.hpp), not a value of `field`
      if (const Node* value = find(key)) {
        uint64_t n = 0;
        reader_.read(*value, path_.child(key), n);
        count_ = Count{key, n, Tree::mark(*value)};
      }
      return;
    }
    const Node* value = find(key);
    if (value) {
      reader_.read(*value, path_.child(key), field, style);
    } else if (count_ || (after_count_ && !IsOptional<T>::value)) {
      // The writer writes every key from a count on (facts_yaml_fields.hpp).
      const Count& c = count_ ? *count_ : *after_count_;
      reader_.fail_at(c.mark, path_.str() + "." + std::string(c.key),
                      fmt::format("is given, but '{}' after it is not: the file was cut short", key), kCountHint);
    } else if constexpr (IsFact<T>::value) {
      field = T::unknown("not in " + reader_.origin());
    }
    if (count_) check_count(key, field);
  }

  // Fails at the record's map naming the first required key that is absent.
  void require(std::span<const char* const> keys, const Node& node) const {
    for (const char* key : keys) {
      if (std::any_of(entries_.begin(), entries_.end(), [key](const Entry& e) { return e.key == key; })) continue;
      reader_.fail_at(Tree::mark(node), path_.str() + record_name(),
                      fmt::format("no '{}': the rules need it, and a missing value is not 0", key),
                      "collect the facts again with `preflight collect`, or add the key");
    }
  }

  void finish() const {
    for (const auto& e : entries_) {
      if (e.used) continue;
      const std::vector<std::string> known(known_.begin(), known_.end());
      reader_.fail_at(e.mark, path_.str(), fmt::format("unknown key '{}'{}", e.key, did_you_mean(e.key, known)),
                      "known keys: " + join(known, ", "));
    }
  }

 private:
  struct Entry {
    std::string_view key;
    Mark mark;
    Node value;
    bool used;
  };
  // " (NAME)" when the record has a scalar name, for messages about it.
  std::string record_name() const {
    for (const auto& e : entries_)
      if (e.key == "name" && Tree::is_scalar(e.value)) return " (" + std::string(Tree::scalar(e.value)) + ")";
    return "";
  }
  // A count read for the list `key` that follows it (Style::count).
  struct Count {
    std::string_view key;
    uint64_t n;
    Mark mark;
  };
  template <class T>
  void check_count(const char* key, const T& field) {
    const Count c = *count_;
    after_count_ = c;
    count_.reset();
    size_t listed = 0;
    if constexpr (IsFact<T>::value) {
      if constexpr (IsVector<typename IsFact<T>::value_type>::value)
        if (field.known()) listed = field.value().size();
    }
    if (listed == c.n) return;
    reader_.fail_at(c.mark, path_.str() + "." + std::string(c.key),
                    fmt::format("says {} entries, but '{}' lists {}: the file was cut short or edited", c.n, key,
                                listed),
                    kCountHint);
  }
  const Reader<Tree>& reader_;
  const Path& path_;
  std::vector<Entry> entries_;
  std::vector<std::string_view> known_;
  std::optional<Count> count_;        // read, for the list that follows
  std::optional<Count> after_count_;  // checked: every later key must be there
};

template <class Tree>
template <class T>
void Reader<Tree>::read(const Node& node, const Path& path, T& out, Style style) const {
  if constexpr (std::is_same_v<T, bool>) {
    const std::string_view s = Tree::is_scalar(node) ? Tree::scalar(node) : std::string_view();
    if (s != "true" && s != "false") fail(node, path, "expected true or false");
    out = s == "true";
  } else if constexpr (std::is_integral_v<T>) {
    static_assert(std::is_unsigned_v<T>);
    const auto v = Tree::is_scalar(node) ? parse_unsigned(Tree::scalar(node), std::numeric_limits<T>::max(), Radix::decimal_or_hex)
                                         : std::nullopt;
    if (!v) {
      fail(node, path,
           sizeof(T) < sizeof(uint64_t) && Tree::is_scalar(node) && parse_unsigned(Tree::scalar(node), UINT64_MAX, Radix::decimal_or_hex)
               ? fmt::format("expected an unsigned integer up to {}, not '{}'", std::numeric_limits<T>::max(),
                             quote_input(Tree::scalar(node)))
               : Tree::is_scalar(node) ? fmt::format("expected an unsigned integer, not '{}'", quote_input(Tree::scalar(node)))
                                       : std::string("expected an unsigned integer"));
    }
    out = static_cast<T>(*v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!Tree::is_scalar(node)) fail(node, path, "expected a string");
    out = Tree::scalar(node);
  } else if constexpr (std::is_same_v<T, CpuidLeaf>) {
    if (!Tree::is_sequence(node) || Tree::size(node) != 6) {
      fail(node, path, "expected [leaf, subleaf, eax, ebx, ecx, edx]");
    }
    uint32_t* regs[] = {&out.leaf, &out.subleaf, &out.eax, &out.ebx, &out.ecx, &out.edx};
    for (size_t i = 0; i < 6; ++i) read(Tree::item(node, i), path.at(i), *regs[i]);
  } else if constexpr (IsFact<T>::value) {
    // {unknown: reason} with a plain key; a quoted "unknown" key is a map entry.
    const bool unknown_form = Tree::is_map(node) && Tree::size(node) == 1 && Tree::is_scalar(Tree::first_key(node)) &&
                              Tree::scalar(Tree::first_key(node)) == "unknown" && Tree::plain(Tree::first_key(node));
    if (unknown_form) {
      std::string reason;
      read(Tree::first_value(node), path.child("unknown"), reason);
      out = T::unknown(reason);
    } else {
      typename IsFact<T>::value_type value{};
      read(node, path, value, style);
      out = std::move(value);
    }
  } else if constexpr (IsOptional<T>::value) {
    typename T::value_type value{};
    read(node, path, value, style);
    out = std::move(value);
  } else if constexpr (IsVector<T>::value) {
    if (!Tree::is_sequence(node)) fail(node, path, "expected a list");
    out.clear();
    out.resize(Tree::size(node));
    for (size_t i = 0; i < out.size(); ++i) read(Tree::item(node, i), path.at(i), out[i], style);
  } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
    FieldReader<Tree> keys(*this, node, path);  // checks map-ness and duplicate keys
    out.clear();
    Tree::each_entry(node, [&](const Node& key_node, const Node& value_node) {
      const std::string_view key = Tree::scalar(key_node);
      std::string value;
      read(value_node, path.child(key), value);
      out.emplace(std::string(key), std::move(value));
    });
  } else {
    static_assert(Record<T>, "facts_yaml_fields.hpp has no Fields<> for this type");
    FieldReader<Tree> fields(*this, node, path);
    fields.require(facts_yaml::kRequired<T>, node);
    Fields<T>::each(out, fields);
    fields.finish();
  }
}

template <class Tree>
void check_schema_version(const Reader<Tree>& reader, FieldReader<Tree>& top) {
  const auto* version = top.find("schema_version");
  if (!version) throw Error(reader.origin() + ": no schema_version: not a preflight facts file", kSchemaHint);
  const std::string text = Tree::is_scalar(*version) ? std::string(Tree::scalar(*version)) : "(not a number)";
  if (parse_unsigned(text, UINT64_MAX, Radix::decimal_or_hex) != std::optional<uint64_t>(kFactsSchemaVersion)) {
    reader.fail_at(Tree::mark(*version), "", fmt::format("schema_version {} is not supported", text), kSchemaHint);
  }
}

// The document's top map (schema_version, host) into HostFacts.
template <class Tree>
HostFacts read_document(const typename Tree::Node& root, const std::string& origin) {
  const Reader<Tree> reader(origin);
  const Path top_path;
  FieldReader<Tree> top(reader, root, top_path);
  check_schema_version(reader, top);
  HostFacts host;
  const auto* node = top.find("host");
  if (!node) throw Error(origin + ": no host: not a preflight facts file", kFixHint);
  reader.read(*node, top_path.child("host"), host);
  top.finish();
  return host;
}

}  // namespace

std::optional<HostFacts> facts_from_yaml_subset(const std::string& text, const std::string& origin) {
  const std::optional<yaml_subset::Document> doc = yaml_subset::parse(text);
  if (!doc) return std::nullopt;
  return read_document<SubsetTree>(&doc->root(), origin);
}

HostFacts facts_from_yaml_cpp(const std::string& text, const std::string& origin) {
  check_yaml_text(text, origin, kFixHint);
  try {
    const YamlDocuments docs = load_yaml_documents(text, origin, kFixHint);
    if (docs.first.IsNull()) {
      throw Error(origin + ": empty: not a preflight facts file",
                  "give a file written by `preflight collect` (schema_version and host)");
    }
    const Reader<YamlCppTree> reader(origin);
    if (docs.second)
      reader.fail_at({docs.second->line, docs.second->column}, "", "a second YAML document; a facts file holds one");
    if (!docs.first.IsMap()) reader.fail(docs.first, Path(), "expected a map with schema_version and host");
    check_yaml_limits(docs.first, origin, kFixHint);
    return read_document<YamlCppTree>(docs.first, origin);
  } catch (const YAML::DeepRecursion& e) {
    throw Error(fmt::format("{}: nested deeper than {} levels: refused",
                            yaml_mark_location(origin, {e.mark.line, e.mark.column}), kMaxNestingDepth),
                kFixHint);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: {}", yaml_mark_location(origin, {e.mark.line, e.mark.column}), e.msg), kFixHint);
  }
}

HostFacts facts_from_yaml(const std::string& text, const std::string& origin) {
  try {
    if (std::optional<HostFacts> host = facts_from_yaml_subset(text, origin)) return std::move(*host);
  } catch (const Error&) {
    // Refused: yaml-cpp's reading below refuses it too, in today's words.
  }
  return facts_from_yaml_cpp(text, origin);
}

HostFacts load_facts_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(path + ": is a directory, not a facts file", "give a file written by `preflight collect -w FILE`");
  }
  return facts_from_yaml(read_file(path, "check the path; `preflight collect -w FILE` writes a facts file"), path);
}

}  // namespace preflight
