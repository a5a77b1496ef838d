#pragma once
// The two readers every pugixml parser here needs.
#include <pugixml.hpp>

#include <string>

namespace preflight::xml {

std::string attr(const pugi::xml_node& n, const char* name);  // "" when absent
std::string text(const pugi::xml_node& n);                    // trimmed; "" when absent

}  // namespace preflight::xml
