// HostFacts -> YAML. The keys and their order come from facts_yaml_fields.hpp.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <type_traits>

#include "core/error.hpp"
#include "facts/facts_yaml.hpp"
#include "facts/facts_yaml_fields.hpp"

namespace preflight {

namespace {

using facts_yaml::Fields;
using facts_yaml::kFlow;
using facts_yaml::kOmitWhenDefault;
using facts_yaml::Record;
using facts_yaml::Style;

template <class T> struct IsFact : std::false_type {};
template <class T> struct IsFact<Fact<T>> : std::true_type {};
template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

// "0x" and the value in hex; `digits` is the minimum width (zero-padded).
std::string hex(uint64_t v, int digits) { return fmt::format("0x{:0{}x}", v, digits); }

// Empty strings and lists, unset optionals and default plain structs are left out;
// they read back as the same empty value. Facts, bools and numbers are always written.
template <class T>
bool omitted(const T& v) {
  if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value) {
    return v.empty();
  } else if constexpr (IsOptional<T>::value) {
    return !v.has_value();
  } else if constexpr (kOmitWhenDefault<T>) {
    return v == T{};
  } else {
    return false;
  }
}

template <class T>
void write(YAML::Emitter& out, const T& v, Style style = Style::plain);

class FieldWriter {
 public:
  FieldWriter(YAML::Emitter& out, std::span<const char* const> required) : out_(out), required_(required) {}
  template <class T>
  void operator()(const char* key, const T& value, Style style = Style::plain) {
    if constexpr (IsFact<T>::value && requires { value.value().size(); }) {
      if (style == Style::count) {  // the length of a known list (facts_yaml_fields.hpp)
        if (!value.known()) return;
        out_ << YAML::Key << key << YAML::Value << std::to_string(value.value().size());
        after_count_ = true;
        return;
      }
    }
    // From a count on every key is written, also when empty: the reader then knows a
    // missing one is a file cut short (an unset optional has no value to write).
    if (omitted(value) && !is_required(key) && !(after_count_ && !IsOptional<T>::value)) return;
    out_ << YAML::Key << key << YAML::Value;
    write(out_, value, style);
  }

 private:
  bool is_required(std::string_view key) const {
    return std::find(required_.begin(), required_.end(), key) != required_.end();
  }
  YAML::Emitter& out_;
  std::span<const char* const> required_;
  bool after_count_ = false;
};

template <class T>
size_t written_field_count(const T& record) {
  size_t n = 0;
  Fields<T>::each(record, [&n](const char*, const auto& value, Style = Style::plain) { n += !omitted(value); });
  return n;
}

// yaml-cpp writes some control characters (a lone \r) unquoted; quoting escapes them.
void write_string(YAML::Emitter& out, const std::string& s, bool quote = false) {
  const bool control = std::any_of(s.begin(), s.end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; });
  if (quote || control) out << YAML::DoubleQuoted;
  out << s;
}

void write_unknown(YAML::Emitter& out, const std::string& reason) {
  out << YAML::Flow << YAML::BeginMap << YAML::Key << "unknown" << YAML::Value << YAML::DoubleQuoted << reason
      << YAML::EndMap;
}

template <class T>
void write(YAML::Emitter& out, const T& v, Style style) {
  if constexpr (std::is_same_v<T, bool>) {
    out << (v ? "true" : "false");
  } else if constexpr (std::is_integral_v<T>) {
    if (style == Style::hex) {
      out << hex(v, static_cast<int>(sizeof(T) * 2));
    } else {
      out << std::to_string(v);
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    write_string(out, v);
  } else if constexpr (std::is_same_v<T, CpuidLeaf>) {
    out << YAML::Flow << YAML::BeginSeq << hex(v.leaf, 8) << hex(v.subleaf, 1) << hex(v.eax, 8) << hex(v.ebx, 8)
        << hex(v.ecx, 8) << hex(v.edx, 8) << YAML::EndSeq;
  } else if constexpr (IsFact<T>::value) {
    if (v.known()) {
      write(out, v.value(), style);
    } else {
      write_unknown(out, v.reason());
    }
  } else if constexpr (IsOptional<T>::value) {
    write(out, *v, style);
  } else if constexpr (IsVector<T>::value) {
    if (v.empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::Block << YAML::BeginSeq;
    for (const auto& item : v) write(out, item, style);
    out << YAML::EndSeq;
  } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
    out << (v.empty() ? YAML::Flow : YAML::Block) << YAML::BeginMap;
    for (const auto& [key, value] : v) {
      // A plain `unknown` key alone would read back as an unknown Fact.
      out << YAML::Key;
      write_string(out, key, key == "unknown");
      out << YAML::Value;
      write_string(out, value);
    }
    out << YAML::EndMap;
  } else {
    static_assert(Record<T>, "facts_yaml_fields.hpp has no Fields<> for this type");
    const bool flow = kFlow<T> || written_field_count(v) == 0;
    out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
    Fields<T>::each(v, FieldWriter(out, facts_yaml::kRequired<T>));
    out << YAML::EndMap;
  }
}

}  // namespace

std::string facts_to_yaml(const HostFacts& host) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::Comment("preflight facts; a cpuid row is [leaf, subleaf, eax, ebx, ecx, edx]");
  out << YAML::BeginMap;
  out << YAML::Key << "schema_version" << YAML::Value << kFactsSchemaVersion;
  out << YAML::Key << "host" << YAML::Value;
  write(out, host);
  out << YAML::EndMap;
  if (!out.good()) {
    throw Error("facts_to_yaml: " + out.GetLastError(), "report this as a bug in preflight");
  }
  return std::string(out.c_str()) + "\n";
}

}  // namespace preflight
