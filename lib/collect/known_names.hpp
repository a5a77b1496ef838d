#pragma once
// The host and VM names of an inventory that can be told without connecting to
// anything: for shell completion, which must answer at once and never reach a
// hypervisor.
#include <string>
#include <vector>

#include "inventory/inventory.hpp"

namespace preflight {

// The names of the VMs the inventory's files define, in host order: the VMs of each
// host's facts file, and the <domain> names of each host whose libvirt URI is a
// libvirt test driver file (test:///PATH, read as a file). Each name once. A file
// that cannot be read or parsed adds nothing (never throws).
std::vector<std::string> known_vm_names(const Inventory& inv);

// The <domain><name> values of a libvirt test driver file's text, in order;
// empty when the text is not XML.
std::vector<std::string> test_driver_domain_names(const std::string& xml);

}  // namespace preflight
