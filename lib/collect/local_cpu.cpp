// The CPU and firmware readers of collect_local.
#include <algorithm>
#include <charconv>
#include <optional>

#include "collect/cpuid_enumerate.hpp"
#include "collect/cpuid_identify.hpp"
#include "collect/cpuid_reader.hpp"
#include "collect/cpuid_variants.hpp"
#include "collect/kvm_msr.hpp"
#include "collect/local_readers.hpp"
#include "collect/proc_cpuinfo.hpp"
#include "collect/sysfs_cpulist.hpp"
#include "core/error.hpp"
#include "core/input_limits.hpp"
#include "core/number.hpp"
#include "core/text.hpp"

namespace preflight::local {
namespace {

// Online CPU ids: the topology's list, else /proc/cpuinfo "processor" lines, else CPU 0.
std::vector<unsigned> online_cpus(const HostFacts& h, const Cpuinfo& cpuinfo) {
  if (h.topology.online.known()) {
    try {
      return parse_cpulist(h.topology.online.value(), "online CPUs");
    } catch (const Error&) {
    }
  }
  std::vector<unsigned> ids;
  for (const auto& b : cpuinfo.blocks) {
    auto it = b.find("processor");
    if (it == b.end()) continue;
    if (const auto v = parse_unsigned(it->second, kMaxCpuId)) ids.push_back(static_cast<unsigned>(*v));
  }
  if (ids.empty()) ids.push_back(0);
  return ids;
}

// Identification from /proc/cpuinfo, for when no CPUID could be read.
void identify_from_cpuinfo(const Cpuinfo& cpuinfo, const std::string& why, CpuFacts& cpu) {
  const auto* b = cpuinfo.blocks.empty() ? nullptr : &cpuinfo.blocks.front();
  auto text = [&](const char* key) {
    if (b && b->count(key) && !b->at(key).empty()) return Fact<std::string>(b->at(key));
    return Fact<std::string>::unknown(why);
  };
  auto number = [&](const char* key) {
    if (b && b->count(key)) {
      if (const auto v = parse_unsigned(b->at(key), UINT32_MAX)) return Fact<uint32_t>(static_cast<uint32_t>(*v));
    }
    return Fact<uint32_t>::unknown(why);
  };
  cpu.vendor = text("vendor_id");
  cpu.brand = text("model name");
  cpu.family = number("cpu family");
  cpu.model = number("model");
  cpu.stepping = number("stepping");
  cpu.codename = Fact<std::string>::unknown(why);
}

bool has_flag(const std::vector<std::string>& flags, const char* flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// A feature firmware can switch off: CPUID says the CPU has it and the kernel still
// lists it (the kernel clears a flag when firmware left the feature disabled).
Fact<bool> cpuid_and_flag(const HostFacts& h, uint32_t leaf, uint32_t sub, CpuidReg reg, unsigned bit,
                          const char* flag) {
  const CpuFacts& cpu = h.cpu;
  if (!cpu.cpuid.known()) return Fact<bool>::unknown(cpu.cpuid.reason());
  const auto in_cpuid = cpuid_bit(cpu.cpuid.value(), leaf, sub, reg, bit);
  if (!in_cpuid || !*in_cpuid) return false;
  if (!cpu.kernel_flags.known()) return Fact<bool>::unknown(cpu.kernel_flags.reason());
  return has_flag(cpu.kernel_flags.value(), flag);
}

// Where the second CPUID source disagrees with the reference CPU's first read:
// the injected cross-check reader, else /dev/cpu/N/cpuid behind the live
// instruction. Unknown when there is no second source or it cannot be read.
Fact<std::vector<CpuidLeaf>> cross_check(const LocalCollectOptions& opts, std::optional<CpuidMethod> live_method,
                                         const CpuidOfCpu& first) {
  std::function<std::vector<CpuidLeaf>(unsigned)> second = opts.read_cpuid_crosscheck;
  if (!second && live_method == CpuidMethod::pinned_instruction)
    second = [](unsigned id) { return read_cpuid_leaves_on_cpu(id, CpuidMethod::dev_cpuid); };
  if (!second) {
    return Fact<std::vector<CpuidLeaf>>::unknown(live_method ? "pinning was refused; /dev/cpu/N/cpuid was the only source"
                                                             : "no second CPUID source to cross-check with");
  }
  try {
    const auto variants = group_cpuid_variants(first.leaves, {CpuidOfCpu{first.cpu, second(first.cpu)}});
    return variants.empty() ? std::vector<CpuidLeaf>{} : variants.front().leaves;
  } catch (const Error& e) {
    return Fact<std::vector<CpuidLeaf>>::unknown(e.what());
  }
}

}  // namespace

void read_cpu(const LocalRoot& root, const LocalCollectOptions& opts, const Cpuinfo& cpuinfo, HostFacts& h) {
  CpuFacts& cpu = h.cpu;
  if (!cpuinfo.error.empty()) {
    cpu.microcode = Fact<std::string>::unknown(cpuinfo.error);
    cpu.kernel_flags = Fact<std::vector<std::string>>::unknown(cpuinfo.error);
  } else {
    const auto& b = cpuinfo.blocks.front();
    const std::string origin = root.path("/proc/cpuinfo");
    cpu.microcode = b.count("microcode") ? Fact(b.at("microcode"))
                                         : Fact<std::string>::unknown(origin + ": no 'microcode' line");
    cpu.kernel_flags = b.count("flags") ? Fact(split_words(b.at("flags")))
                                        : Fact<std::vector<std::string>>::unknown(origin + ": no 'flags' line");
  }

  // Feature MSRs as KVM offers them to guests (what libvirt adds to CPUID for
  // arch-capabilities features); unknown, with why, where they cannot be read.
  if (opts.read_msrs || opts.root == "/") {
    try {
      cpu.msrs = opts.read_msrs ? opts.read_msrs() : read_kvm_feature_msrs();
    } catch (const Error& e) {
      cpu.msrs = Fact<std::vector<MsrValue>>::unknown(e.what());
    }
  } else {
    cpu.msrs = Fact<std::vector<MsrValue>>::unknown("MSRs are read from this machine's /dev/kvm only, not below " +
                                                    opts.root);
  }

  std::optional<CpuidMethod> reference_method;  // of the live reader
  const std::function<std::vector<CpuidLeaf>(unsigned)> reader =
      opts.read_cpuid ? opts.read_cpuid : [&reference_method](unsigned id) {
        CpuidRead r = read_cpuid_on_cpu(id);
        if (!reference_method) reference_method = r.method;
        return std::move(r.leaves);
      };
  std::vector<CpuidOfCpu> read;
  std::string first_error;
  for (unsigned id : online_cpus(h, cpuinfo)) {
    try {
      auto leaves = reader(id);
      if (leaves.empty()) throw Error("cpu " + std::to_string(id) + ": CPUID gave no leaves");
      read.push_back(CpuidOfCpu{id, std::move(leaves)});
    } catch (const Error& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (read.empty()) {
    cpu.cpuid = Fact<std::vector<CpuidLeaf>>::unknown(first_error);
    cpu.cpuid_cpus_read = Fact<uint32_t>::unknown(first_error);
    cpu.cpuid_source = Fact<std::string>::unknown(first_error);
    cpu.cpuid_disagreement = Fact<std::vector<CpuidLeaf>>::unknown(first_error);
    identify_from_cpuinfo(cpuinfo, first_error, cpu);
    return;
  }
  cpu.cpuid_source = opts.read_cpuid ? opts.read_cpuid_source : cpuid_method_name(*reference_method);
  cpu.cpuid_disagreement = cross_check(opts, reference_method, read.front());
  std::vector<CpuidLeaf> reference = std::move(read.front().leaves);
  read.erase(read.begin());
  cpu.cpuid_cpus_read = static_cast<uint32_t>(read.size() + 1);
  cpu.cpuid_variants = group_cpuid_variants(reference, read);
  identify_cpu(reference, cpu);
  cpu.cpuid = std::move(reference);
}

void read_firmware(const LocalRoot& root, HostFacts& h) {
  FirmwareFacts& fw = h.firmware;
  const CpuFacts& cpu = h.cpu;
  // VT-x (vmx) or AMD-V (svm): a CPU has at most one, the other's bit is reserved
  // (zero), so no vendor string is needed to pick it.
  const Fact<bool> vmx = cpuid_and_flag(h, 1, 0, CpuidReg::ecx, 5, "vmx");
  const Fact<bool> svm = cpuid_and_flag(h, 0x80000001, 0, CpuidReg::ecx, 2, "svm");
  if (vmx.value_or(false) || svm.value_or(false)) fw.virtualization = true;
  else if (!vmx.known()) fw.virtualization = vmx;
  else if (!svm.known()) fw.virtualization = svm;
  else fw.virtualization = false;
  // Without /proc/cpuinfo, a loaded KVM module still proves the feature usable.
  if (!fw.virtualization.known() && cpu.cpuid.known() &&
      (root.exists("/sys/module/kvm_intel") || root.exists("/sys/module/kvm_amd")))
    fw.virtualization = true;
  fw.nx = cpuid_and_flag(h, 0x80000001, 0, CpuidReg::edx, 20, "nx");
  fw.aes = cpuid_and_flag(h, 1, 0, CpuidReg::ecx, 25, "aes");
  fw.x2apic = cpuid_and_flag(h, 1, 0, CpuidReg::ecx, 21, "x2apic");
  fw.sgx = cpuid_and_flag(h, 7, 0, CpuidReg::ebx, 2, "sgx");

  try {
    const std::string v = root.read_value("/sys/devices/system/cpu/smt/active");
    if (v != "0" && v != "1") throw Error(root.path("/sys/devices/system/cpu/smt/active") + ": unexpected '" + v + "'");
    fw.smt = v == "1";
  } catch (const Error& e) {
    if (h.topology.threads_per_core.known()) {
      fw.smt = h.topology.threads_per_core.value() > 1;
    } else {
      fw.smt = Fact<bool>::unknown(e.what());
    }
  }

  std::string taa;
  try {
    taa = root.read_value("/sys/devices/system/cpu/vulnerabilities/tsx_async_abort");
  } catch (const Error&) {
  }
  if (!cpu.kernel_flags.known()) {
    fw.tsx = Fact<std::string>::unknown(cpu.kernel_flags.reason());
  } else if (has_flag(cpu.kernel_flags.value(), "rtm")) {
    fw.tsx = std::string("enabled");
  } else if (!cpu.cpuid.known()) {
    fw.tsx = Fact<std::string>::unknown(cpu.cpuid.reason());
  } else {
    const auto& l = cpu.cpuid.value();
    const bool in_cpuid = cpuid_bit(l, 7, 0, CpuidReg::ebx, 11).value_or(false) ||  // RTM
                          cpuid_bit(l, 7, 0, CpuidReg::ebx, 4).value_or(false);     // HLE
    const bool always_abort = cpuid_bit(l, 7, 0, CpuidReg::edx, 11).value_or(false) ||  // RTM_ALWAYS_ABORT
                              cpuid_bit(l, 7, 0, CpuidReg::edx, 13).value_or(false);    // TSX_FORCE_ABORT
    const bool off = in_cpuid || always_abort || taa.find("TSX disabled") != std::string::npos;
    fw.tsx = std::string(off ? "disabled" : "not-present");
  }

  if (!root.exists("/sys/class/iommu")) {
    fw.iommu = root.exists("/sys/class") ? Fact<bool>(false)
                                         : Fact<bool>::unknown(root.path("/sys/class") + ": not found");
  } else {
    try {
      fw.iommu = !root.list("/sys/class/iommu").empty();
    } catch (const Error& e) {
      fw.iommu = Fact<bool>::unknown(e.what());
    }
  }

  try {
    const std::string dir = "/sys/devices/system/cpu/vulnerabilities";
    std::map<std::string, std::string> v;
    for (const std::string& name : root.list(dir)) v[name] = root.read_value(dir + "/" + name);
    fw.vulnerabilities = v;
  } catch (const Error& e) {
    fw.vulnerabilities = Fact<std::map<std::string, std::string>>::unknown(e.what());
  }
}

}  // namespace preflight::local
