#pragma once
// XML input: the one parse every reader of a file's XML goes through, and the two
// readers every pugixml parser here needs.
#include <pugixml.hpp>

#include <string>
#include <string_view>

namespace preflight {

// `text` parsed by pugixml with `options`; throws Error with `hint`:
//  "<origin>:<line>:<col>: malformed XML: <what>", or one of the refusals of
//  check_xml_text and check_xml_tree.
pugi::xml_document parse_xml(std::string_view text, const std::string& origin, const std::string& hint,
                             unsigned options = pugi::parse_default);

// Before parsing: refuses text that is not UTF-8 and a DOCTYPE (its entities would
// not be expanded -- libvirt's XML has none, and an entity bomb is refused here).
void check_xml_text(std::string_view text, const std::string& origin, const std::string& hint);
// After parsing: refuses elements nested deeper than kMaxNestingDepth, an attribute
// or text longer than kMaxStringBytes (core/input_limits.hpp), and what
// check_xml_attributes refuses. Iterative. `text`, when given, is the text parsed
// (not in place), for the line of a repeated attribute.
void check_xml_tree(const pugi::xml_node& top, const std::string& origin, const std::string& hint,
                    std::string_view text = {});
// Refuses an element that names an attribute twice (pugixml keeps both and reads the
// first; libxml2, so libvirt, refuses the document).
void check_xml_attributes(const pugi::xml_node& top, const std::string& origin, const std::string& hint,
                          std::string_view text = {});

// The document's one top-level element, which must be <name>; throws Error
// "<origin>: expected <name> element, found <other>" (or "no element", or "<name>
// and <other> side by side": a file is one document, never half-read).
pugi::xml_node xml_root(const pugi::xml_document& doc, const char* name, const std::string& origin,
                        const std::string& hint);


}  // namespace preflight

namespace preflight::xml {

std::string attr(const pugi::xml_node& n, const char* name);  // "" when absent
std::string text(const pugi::xml_node& n);                    // trimmed; "" when absent

}  // namespace preflight::xml
