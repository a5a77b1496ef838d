#include "core/xml_text.hpp"

#include "core/text.hpp"

namespace preflight::xml {

std::string attr(const pugi::xml_node& n, const char* name) { return n.attribute(name).as_string(); }

std::string text(const pugi::xml_node& n) { return trim(n.text().as_string()); }

}  // namespace preflight::xml
