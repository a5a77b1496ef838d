#include "cpu/host_cpu_model.hpp"

namespace preflight {

DecodedCpu libvirt_host_model(const HostCpu& cpu, const CpuCatalog& catalog) {
  DecodeOptions o;
  o.vendor = cpu.vendor;
  o.guest = false;
  o.signature = cpu.signature;
  return decode_model(cpu.silicon, o, catalog);
}

}  // namespace preflight
