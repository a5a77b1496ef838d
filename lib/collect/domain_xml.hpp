#pragma once
// Reading a libvirt domain XML (virsh dumpxml, virDomainGetXMLDesc) into VmFacts.
// Pure: text in, facts out.
#include <string>
#include <string_view>

#include "facts/vm_facts.hpp"

namespace preflight {

// Everything VmFacts holds. Missing elements give empty/false/0; `state` stays
// empty (the XML does not say it; the collector sets it). Memory is converted to
// KiB. Disk capacity/allocation stay unknown ("not in domain XML").
// Throws Error "<origin>:<line>:<col>: malformed XML: ..." or "<origin>: ..." for
// a root that is not <domain> or a bad number.
VmFacts parse_domain_xml(std::string_view xml, const std::string& origin);

}  // namespace preflight
