#include "core/xml_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/text.hpp"

namespace preflight {

void check_xml_text(std::string_view text, const std::string& origin, const std::string& hint) {
  if (const size_t bad = utf8_error_offset(text); bad != std::string_view::npos)
    throw Error(text_location(text, origin, bad) + ": not UTF-8 text (libvirt's XML is UTF-8)", hint);
  // memmem skips ahead; find stops at every '<' (a CPU file has dozens per CPU).
  static constexpr std::string_view kDoctype = "<!DOCTYPE";
  const void* at = memmem(text.data(), text.size(), kDoctype.data(), kDoctype.size());
  const size_t doctype = at ? static_cast<size_t>(static_cast<const char*>(at) - text.data()) : std::string_view::npos;
  if (doctype != std::string_view::npos)
    throw Error(text_location(text, origin, doctype) +
                    ": a DOCTYPE: refused (libvirt's XML has none, and its entities are not expanded)",
                hint);
}

namespace {

// Calls visit(node, depth) for every node under `top` (depth 1 for its children),
// depth first, without recursion: pugixml builds any depth, a recursive walk would
// not survive it.
template <class Visit>
void walk_tree(const pugi::xml_node& top, Visit&& visit) {
  pugi::xml_node n = top.first_child();
  int depth = 1;
  while (n) {
    visit(n, depth);
    if (n.first_child()) {
      n = n.first_child();
      ++depth;
      continue;
    }
    while (n && !n.next_sibling() && n != top) {
      n = n.parent();
      --depth;
    }
    if (!n || n == top) break;
    n = n.next_sibling();
  }
}

// Above this many attributes of one element the names are sorted, not compared pairwise.
constexpr size_t kPairwiseAttributes = 16;

// The first attribute of `n` whose name an earlier one has; none when all differ.
pugi::xml_attribute repeated_attribute(const pugi::xml_node& n) {
  size_t count = 0;
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    if (++count > kPairwiseAttributes) break;
    for (pugi::xml_attribute b = n.first_attribute(); b != a; b = b.next_attribute())
      if (std::strcmp(a.name(), b.name()) == 0) return a;
  }
  if (count <= kPairwiseAttributes) return {};
  std::vector<std::pair<std::string_view, size_t>> names;  // name, position
  size_t i = 0;
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) names.emplace_back(a.name(), i++);
  std::sort(names.begin(), names.end());
  size_t first_repeat = SIZE_MAX;
  for (size_t k = 1; k < names.size(); ++k)
    if (names[k].first == names[k - 1].first) first_repeat = std::min(first_repeat, names[k].second);
  if (first_repeat == SIZE_MAX) return {};
  pugi::xml_attribute a = n.first_attribute();
  for (size_t k = 0; k < first_repeat; ++k) a = a.next_attribute();
  return a;
}

Error repeated_attribute_error(const pugi::xml_node& n, const pugi::xml_attribute& a, const std::string& origin,
                               std::string_view text, const std::string& hint) {
  const ptrdiff_t at = n.offset_debug();
  const std::string where =
      !text.empty() && at >= 0 && static_cast<size_t>(at) < text.size() ? text_location(text, origin, static_cast<size_t>(at))
                                                                          : origin;
  return Error(fmt::format("{}: <{}> has the attribute '{}' twice: refused (libvirt refuses it too; which one "
                           "counts is not defined)",
                           where, n.name(), a.name()),
               hint);
}

}  // namespace

void check_xml_attributes(const pugi::xml_node& top, const std::string& origin, const std::string& hint,
                          std::string_view text) {
  walk_tree(top, [&](const pugi::xml_node& n, int) {
    if (const pugi::xml_attribute a = repeated_attribute(n)) throw repeated_attribute_error(n, a, origin, text, hint);
  });
}

void check_xml_tree(const pugi::xml_node& top, const std::string& origin, const std::string& hint,
                    std::string_view text) {
  const auto too_long = [&](const char* what, size_t size) {
    return Error(fmt::format("{}: an XML {} of {} bytes, above the limit of {} bytes for one value: refused", origin,
                             what, size, kMaxStringBytes),
                 hint);
  };
  walk_tree(top, [&](const pugi::xml_node& n, int depth) {
    if (depth > kMaxNestingDepth)
      throw Error(fmt::format("{}: XML elements nested deeper than {} levels: refused", origin, kMaxNestingDepth),
                  hint);
    if (const size_t size = std::strlen(n.value()); size > kMaxStringBytes) throw too_long("text", size);
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute())
      if (const size_t size = std::strlen(a.value()); size > kMaxStringBytes) throw too_long("attribute", size);
    if (const pugi::xml_attribute a = repeated_attribute(n)) throw repeated_attribute_error(n, a, origin, text, hint);
  });
}

pugi::xml_document parse_xml(std::string_view text, const std::string& origin, const std::string& hint,
                             unsigned options) {
  check_xml_text(text, origin, hint);
  pugi::xml_document doc;
  const auto res = doc.load_buffer(text.data(), text.size(), options, pugi::encoding_utf8);
  if (!res)
    throw Error(text_location(text, origin, static_cast<size_t>(res.offset)) + ": malformed XML: " + res.description(),
                hint);
  check_xml_tree(doc, origin, hint, text);
  return doc;
}

pugi::xml_node xml_root(const pugi::xml_document& doc, const char* name, const std::string& origin,
                        const std::string& hint) {
  std::vector<pugi::xml_node> elements;
  for (pugi::xml_node n = doc.first_child(); n; n = n.next_sibling())
    if (n.type() == pugi::node_element) elements.push_back(n);
  const auto shown = [](const pugi::xml_node& n) { return "<" + std::string(n.name()) + ">"; };
  if (elements.empty()) throw Error(fmt::format("{}: expected <{}> element, found no element", origin, name), hint);
  if (std::string_view(elements[0].name()) != name)
    throw Error(fmt::format("{}: expected <{}> element, found {}", origin, name, shown(elements[0])), hint);
  if (elements.size() > 1)
    throw Error(fmt::format("{}: {} and {} side by side: a file holds one <{}> element", origin, shown(elements[0]),
                            shown(elements[1]), name),
                hint);
  return elements[0];
}

}  // namespace preflight

namespace preflight::xml {

std::string attr(const pugi::xml_node& n, const char* name) { return n.attribute(name).as_string(); }

std::string text(const pugi::xml_node& n) { return trim(n.text().as_string()); }

}  // namespace preflight::xml
