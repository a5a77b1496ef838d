#pragma once
// Loading libvirt XML text with pugixml, and the small readers every libvirt XML
// parser here shares. Pure: text in, nodes out.
#include <pugixml.hpp>

#include "core/text.hpp"
#include "core/xml_text.hpp"  // attr, text

#include <cstdint>
#include <string>
#include <string_view>

namespace preflight::xml {

// Parses `text`; throws Error "<origin>:<line>:<col>: malformed XML: <what>" with a
// hint to check the file. `origin` names where the text came from (file, URI + object).
pugi::xml_document load(std::string_view text, const std::string& origin);

// The root element, which must be named `root`; throws Error "<origin>: expected
// <root> element, found <other>" otherwise.
pugi::xml_node root(const pugi::xml_document& doc, const char* root, const std::string& origin);

using preflight::line_col;  // core/text.hpp


// A libvirt scaled integer (<memory unit='GiB'>4</memory>, <capacity unit='G'>20</capacity>)
// converted to bytes. `default_unit_bytes` applies when there is no unit attribute
// (1024 for memory elements, 1 for storage). Throws Error naming `origin` for a
// non-number or an unknown unit.
uint64_t scaled_bytes(const pugi::xml_node& n, uint64_t default_unit_bytes, const std::string& origin);
// The same for a value and unit given apart (<page size='2' unit='M'/>); `what`
// names the value in the error ("<page size>").
uint64_t scaled_bytes(const std::string& value, const std::string& unit, uint64_t default_unit_bytes,
                      const std::string& what, const std::string& origin);

}  // namespace preflight::xml
