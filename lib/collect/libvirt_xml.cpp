#include "collect/libvirt_xml.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace preflight::xml {

pugi::xml_document load(std::string_view text, const std::string& origin) {
  pugi::xml_document doc;
  const auto res = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!res) {
    throw Error(text_location(text, origin, static_cast<size_t>(res.offset)) + ": malformed XML: " +
                    res.description(),
                "fix the XML (or re-export it with virsh dumpxml)");
  }
  return doc;
}

pugi::xml_node root(const pugi::xml_document& doc, const char* root, const std::string& origin) {
  const auto el = doc.document_element();
  if (std::string_view(el.name()) != root) {
    throw Error(origin + ": expected <" + root + "> element, found " +
                    (el ? "<" + std::string(el.name()) + ">" : std::string("no element")),
                std::string("give libvirt ") + root + " XML");
  }
  return el;
}

namespace {
// libvirt's virScaleInteger: b|byte|bytes; K|k, KiB = 1024; KB = 1000; likewise M G T P E.
// 0 when unknown.
uint64_t unit_bytes(const std::string& unit) {
  if (unit == "b" || unit == "byte" || unit == "bytes") return 1;
  static const std::string prefixes = "kmgtpe";
  const auto p = prefixes.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit[0]))));
  if (p == std::string::npos) return 0;
  const std::string rest = unit.substr(1);
  uint64_t base = 0;
  if (rest.empty() || rest == "iB") base = 1024;
  else if (rest == "B") base = 1000;
  else return 0;
  uint64_t scale = 1;
  for (std::size_t i = 0; i <= p; ++i) scale *= base;
  return scale;
}
}  // namespace

uint64_t scaled_bytes(const pugi::xml_node& n, uint64_t default_unit_bytes, const std::string& origin) {
  return scaled_bytes(text(n), attr(n, "unit"), default_unit_bytes, std::string("<") + n.name() + ">", origin);
}

uint64_t scaled_bytes(const std::string& value, const std::string& unit, uint64_t default_unit_bytes,
                      const std::string& what, const std::string& origin) {
  const auto fail = [&](const std::string& why) {
    return Error(origin + ": " + what + " " + why, "use a number with a libvirt unit (b, KiB, MiB, GiB, KB, ...)");
  };
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    throw fail("is not a non-negative integer: '" + value + "'");
  }
  uint64_t scale = default_unit_bytes;
  if (!unit.empty()) {
    scale = unit_bytes(unit);
    if (scale == 0) throw fail("has an unknown unit '" + unit + "'");
  }
  uint64_t v = 0;
  try {
    v = std::stoull(value);
  } catch (const std::exception&) {
    throw fail("is out of range: '" + value + "'");
  }
  if (scale != 0 && v > UINT64_MAX / scale) throw fail("is out of range: '" + value + " " + unit + "'");
  return v * scale;
}

}  // namespace preflight::xml
