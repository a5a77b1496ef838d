// YAML -> HostFacts, failing closed. The keys come from facts_yaml_fields.hpp.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <type_traits>

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/yaml_load.hpp"
#include "facts/facts_yaml.hpp"
#include "facts/facts_yaml_fields.hpp"

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
const std::string kSchemaHint =
    fmt::format("collect the facts again with this preflight (it reads schema_version {})", kFactsSchemaVersion);

std::string where(const std::string& origin, const YAML::Mark& m) {
  if (m.line < 0) return origin;
  return fmt::format("{}:{}:{}", origin, m.line + 1, m.column + 1);
}

std::string child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// Decimal or 0x-prefixed hex, no sign, no spaces; nullopt when not that or above `max`.
std::optional<uint64_t> parse_unsigned(const std::string& s, uint64_t max) {
  const bool is_hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const char* first = s.data() + (is_hex ? 2 : 0);
  const char* last = s.data() + s.size();
  if (first == last || *first == '+' || *first == '-') return std::nullopt;
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(first, last, v, is_hex ? 16 : 10);
  if (ec != std::errc() || end != last || v > max) return std::nullopt;
  return v;
}

class Reader {
 public:
  explicit Reader(const std::string& origin) : origin_(origin) {}

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& path, const std::string& what,
                         const std::string& hint = kFixHint) const {
    throw Error(fmt::format("{}: {}{}", where(origin_, mark), path.empty() ? "" : path + ": ", what), hint);
  }

  const std::string& origin() const { return origin_; }

  template <class T>
  void read(const YAML::Node& node, const std::string& path, T& out, Style style = Style::plain) const;

 private:
  std::string origin_;
};

// The keys of one YAML map, read through Fields<T>::each; finish() rejects the rest.
class FieldReader {
 public:
  FieldReader(const Reader& reader, const YAML::Node& node, std::string path)
      : reader_(reader), path_(std::move(path)) {
    if (!node.IsMap()) reader_.fail(node.Mark(), path_, "expected a map");
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) reader_.fail(kv.first.Mark(), path_, "expected a string key");
      const std::string key = kv.first.Scalar();
      for (const auto& e : entries_) {
        if (e.key == key) reader_.fail(kv.first.Mark(), path_, fmt::format("duplicate key '{}'", key));
      }
      entries_.push_back({key, kv.first.Mark(), kv.second, false});
    }
  }

  // The value of `key`, marked as read; nullptr when absent.
  const YAML::Node* find(const std::string& key) {
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
    if (const YAML::Node* value = find(key)) {
      reader_.read(*value, child(path_, key), field, style);
    } else if constexpr (IsFact<T>::value) {
      field = T::unknown("not in " + reader_.origin());
    }
  }

  // Fails at `mark` (the record's map) naming the first required key that is absent.
  void require(std::span<const char* const> keys, const YAML::Mark& mark) const {
    for (const char* key : keys) {
      if (std::any_of(entries_.begin(), entries_.end(), [key](const Entry& e) { return e.key == key; })) continue;
      reader_.fail(mark, path_ + record_name(), fmt::format("no '{}': the rules need it, and a missing value is not 0", key),
                   "collect the facts again with `preflight collect`, or add the key");
    }
  }

  void finish() const {
    for (const auto& e : entries_) {
      if (e.used) continue;
      reader_.fail(e.mark, path_, fmt::format("unknown key '{}'{}", e.key, did_you_mean(e.key, known_)),
                   "known keys: " + join(known_, ", "));
    }
  }

 private:
  struct Entry {
    std::string key;
    YAML::Mark mark;
    YAML::Node value;
    bool used;
  };
  // " (NAME)" when the record has a scalar name, for messages about it.
  std::string record_name() const {
    for (const auto& e : entries_)
      if (e.key == "name" && e.value.IsScalar()) return " (" + e.value.Scalar() + ")";
    return "";
  }
  const Reader& reader_;
  std::string path_;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

template <class T>
void Reader::read(const YAML::Node& node, const std::string& path, T& out, Style style) const {
  if constexpr (std::is_same_v<T, bool>) {
    const std::string s = node.IsScalar() ? node.Scalar() : std::string();
    if (s != "true" && s != "false") fail(node.Mark(), path, "expected true or false");
    out = s == "true";
  } else if constexpr (std::is_integral_v<T>) {
    static_assert(std::is_unsigned_v<T>);
    const auto v = node.IsScalar() ? parse_unsigned(node.Scalar(), std::numeric_limits<T>::max()) : std::nullopt;
    if (!v) {
      fail(node.Mark(), path,
           sizeof(T) < sizeof(uint64_t) && node.IsScalar() && parse_unsigned(node.Scalar(), UINT64_MAX)
               ? fmt::format("expected an unsigned integer up to {}", std::numeric_limits<T>::max())
               : "expected an unsigned integer");
    }
    out = static_cast<T>(*v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node.IsScalar()) fail(node.Mark(), path, "expected a string");
    out = node.Scalar();
  } else if constexpr (std::is_same_v<T, CpuidLeaf>) {
    if (!node.IsSequence() || node.size() != 6) {
      fail(node.Mark(), path, "expected [leaf, subleaf, eax, ebx, ecx, edx]");
    }
    uint32_t* regs[] = {&out.leaf, &out.subleaf, &out.eax, &out.ebx, &out.ecx, &out.edx};
    for (size_t i = 0; i < 6; ++i) read(node[i], fmt::format("{}[{}]", path, i), *regs[i]);
  } else if constexpr (IsFact<T>::value) {
    // {unknown: reason} with a plain key; a quoted "unknown" key is a map entry.
    const bool unknown_form = node.IsMap() && node.size() == 1 && (*node.begin()).first.IsScalar() &&
                              (*node.begin()).first.Scalar() == "unknown" && (*node.begin()).first.Tag() == "?";
    if (unknown_form) {
      std::string reason;
      read((*node.begin()).second, child(path, "unknown"), reason);
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
    if (!node.IsSequence()) fail(node.Mark(), path, "expected a list");
    out.clear();
    out.resize(node.size());
    for (size_t i = 0; i < node.size(); ++i) read(node[i], fmt::format("{}[{}]", path, i), out[i], style);
  } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
    FieldReader keys(*this, node, path);  // checks map-ness and duplicate keys
    out.clear();
    for (const auto& kv : node) {
      std::string value;
      read(kv.second, child(path, kv.first.Scalar()), value);
      out.emplace(kv.first.Scalar(), std::move(value));
    }
  } else {
    static_assert(Record<T>, "facts_yaml_fields.hpp has no Fields<> for this type");
    FieldReader fields(*this, node, path);
    fields.require(facts_yaml::kRequired<T>, node.Mark());
    Fields<T>::each(out, fields);
    fields.finish();
  }
}

void check_schema_version(const Reader& reader, FieldReader& top) {
  const YAML::Node* version = top.find("schema_version");
  if (!version) throw Error(reader.origin() + ": no schema_version: not a preflight facts file", kSchemaHint);
  const std::string text = version->IsScalar() ? version->Scalar() : std::string("(not a number)");
  if (parse_unsigned(text, UINT64_MAX) != std::optional<uint64_t>(kFactsSchemaVersion)) {
    reader.fail(version->Mark(), "", fmt::format("schema_version {} is not supported", text), kSchemaHint);
  }
}

}  // namespace

HostFacts facts_from_yaml(const std::string& text, const std::string& origin) {
  const Reader reader(origin);
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(text);
    if (docs.empty() || docs[0].IsNull()) {
      throw Error(origin + ": empty: not a preflight facts file",
                  "give a file written by `preflight collect` (schema_version and host)");
    }
    if (docs.size() > 1) reader.fail(docs[1].Mark(), "", "a second YAML document; a facts file holds one");
    if (!docs[0].IsMap()) reader.fail(docs[0].Mark(), "", "expected a map with schema_version and host");
    check_yaml_limits(docs[0], origin, kFixHint);
    FieldReader top(reader, docs[0], "");
    check_schema_version(reader, top);
    HostFacts host;
    const YAML::Node* node = top.find("host");
    if (!node) throw Error(origin + ": no host: not a preflight facts file", kFixHint);
    reader.read(*node, "host", host);
    top.finish();
    return host;
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}: {}", where(origin, e.mark), e.msg), kFixHint);
  }
}

HostFacts load_facts_file(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw Error(path + ": is a directory, not a facts file", "give a file written by `preflight collect -w FILE`");
  }
  return facts_from_yaml(read_file(path, "check the path; `preflight collect -w FILE` writes a facts file"), path);
}

}  // namespace preflight
