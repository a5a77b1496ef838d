#pragma once
// The feature MSRs the kernel's KVM reports (IA32_ARCH_CAPABILITIES and friends):
// what libvirt reads for the same purpose when /dev/cpu/*/msr is not there
// (KVM_GET_MSR_FEATURE_INDEX_LIST, then KVM_GET_MSRS on the /dev/kvm fd). These
// are the values KVM offers guests, which is what a migration needs to compare.
#include <string>
#include <vector>

#include "facts/host_facts.hpp"

namespace preflight {

// Every feature MSR KVM lists, with its value; throws Error naming `device` and
// the failing step when it cannot (no KVM, no permission, old kernel).
std::vector<MsrValue> read_kvm_feature_msrs(const std::string& device = "/dev/kvm");

}  // namespace preflight
