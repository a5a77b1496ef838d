#pragma once
// The named model libvirt gives a host CPU decoded from raw CPUID (the <model> of
// `virsh capabilities` and of libvirt's cputestdata *-host.xml).
#include "cpu/cpu_decode.hpp"
#include "cpu/host_cpu.hpp"

namespace preflight {

// x86Decode of a host CPU: `cpu.silicon` (errata already dropped) described as a
// model that needs no disabled feature plus the features it lacks, a model whose
// cpu_map <signature> matches the CPU's preferred. Throws Error when no model of
// the CPU's vendor fits.
DecodedCpu libvirt_host_model(const HostCpu& cpu, const CpuCatalog& catalog);

}  // namespace preflight
