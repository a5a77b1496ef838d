#include "collect/libvirt_xml.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/number.hpp"

namespace preflight::xml {

pugi::xml_document load(std::string_view text, const std::string& origin) {
  return parse_xml(text, origin, "fix the XML (or re-export it with virsh dumpxml)");
}

pugi::xml_node root(const pugi::xml_document& doc, const char* root, const std::string& origin) {
  return xml_root(doc, root, origin, std::string("give libvirt ") + root + " XML");
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
  uint64_t scale = default_unit_bytes;
  if (!unit.empty()) {
    scale = unit_bytes(unit);
    if (scale == 0) throw fail("has an unknown unit '" + quote_input(unit) + "'");
  }
  const std::optional<uint64_t> v = parse_unsigned(value);
  if (!v) throw fail("is not a non-negative integer: '" + quote_input(value) + "'");
  const std::optional<uint64_t> bytes = checked_mul(*v, scale);
  if (!bytes) throw fail("is out of range (above 2^64 bytes): '" + quote_input(value) + " " + quote_input(unit) + "'");
  return *bytes;
}

}  // namespace preflight::xml
