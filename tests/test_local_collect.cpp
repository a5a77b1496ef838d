// collect_local on a fake root (exact values) and on this machine (structure only).
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include "collect/cpuid_enumerate.hpp"
#include "collect/libcpuid_dump.hpp"
#include "collect/kvm_msr.hpp"
#include "collect/local_collector.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "cpu/host_cpu.hpp"

#include "support/print_facts.hpp"

using namespace preflight;
namespace fs = std::filesystem;

namespace {

const std::string kRoot = std::string(PREFLIGHT_FIXTURES) + "/localroot";
// The fake root's CPU: a Xeon Gold 6248 whose firmware left VT-x off.
const std::string kDump = std::string(PREFLIGHT_FIXTURES) + "/cpuid/xeon-gold-6248-vmx-fw-off-4cpu.txt";
const char* const kLocalOnly = "local collection reads the machine only; use --libvirt URI";

LocalCollectOptions fake(std::string root = kRoot) {
  static const auto cpus = parse_libcpuid_dump_cpus(read_file(kDump), kDump);
  LocalCollectOptions o;
  o.root = std::move(root);
  o.read_cpuid = [](unsigned cpu) -> std::vector<CpuidLeaf> {
    if (cpu >= cpus.size()) throw Error("cpu " + std::to_string(cpu) + ": not in the dump");
    return cpus[cpu];
  };
  return o;
}

// A writable copy of the fake root.
struct RootCopy {
  fs::path dir;
  RootCopy() {
    dir = fs::temp_directory_path() / ("preflight-localroot-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::copy(kRoot, dir, fs::copy_options::recursive);
  }
  ~RootCopy() { fs::remove_all(dir); }
  void write(const std::string& rel, const std::string& text) const { std::ofstream(dir / rel) << text; }
};

const BridgeMember* member(const HostFacts& h, const std::string& bridge, const std::string& name) {
  for (const auto& b : h.bridges.value())
    if (b.name == bridge)
      for (const auto& m : b.members)
        if (m.name == name) return &m;
  return nullptr;
}

const MountFacts* mount(const HostFacts& h, const std::string& mountpoint) {
  for (const auto& m : h.mounts.value())
    if (m.mountpoint == mountpoint) return &m;
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fake_root_identity_memory_topology) {
  const HostFacts h = collect_local(fake());
  BOOST_TEST(h.name == "skylake-a");
  BOOST_TEST(h.source == "local:" + kRoot);
  BOOST_TEST(h.hostname.value() == "skylake-a");
  BOOST_TEST(h.host_uuid.value() == "4c4c4544-0042-3510-8051-b7c04f4d4e32");
  BOOST_TEST(h.arch.value() == "x86_64");
  BOOST_TEST(h.memory.total_kib.value() == 196608000u);
  BOOST_TEST(h.memory.free_kib.value() == 170123456u);
  BOOST_TEST(h.memory.free_note == "MemAvailable of /proc/meminfo (free plus reclaimable cache)");
  BOOST_TEST((h.memory.hugepages.value() ==
              std::vector<HugepagePool>{{2048, 1024, 512}, {1048576, 4, 3}}));
  BOOST_TEST(h.topology.cpus.value() == 4u);
  BOOST_TEST(h.topology.online.value() == "0-3");
  BOOST_TEST(h.topology.sockets.value() == 1u);
  BOOST_TEST(h.topology.cores_per_socket.value() == 2u);
  BOOST_TEST(h.topology.threads_per_core.value() == 2u);
  BOOST_TEST(h.topology.numa_nodes.value() == 1u);
  BOOST_TEST(h.topology.mhz.value() == 3900u);
}

BOOST_AUTO_TEST_CASE(fake_root_cpu) {
  const HostFacts h = collect_local(fake());
  const CpuFacts& c = h.cpu;
  BOOST_TEST(c.vendor.value() == "GenuineIntel");
  BOOST_TEST(c.family.value() == 6u);
  BOOST_TEST(c.model.value() == 85u);
  BOOST_TEST(c.stepping.value() == 7u);
  BOOST_TEST(c.brand.value() == "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  BOOST_TEST(c.codename.known());
  BOOST_TEST(c.microcode.value() == "0x500320a");
  BOOST_TEST(c.cpuid.value() == parse_libcpuid_dump(read_file(kDump), kDump));
  BOOST_TEST(c.cpuid_cpus_read.value() == 4u);
  BOOST_TEST(c.cpuid_variants.empty());
  const auto& flags = c.kernel_flags.value();
  BOOST_TEST(std::count(flags.begin(), flags.end(), "avx512f") == 1);
  BOOST_TEST(std::count(flags.begin(), flags.end(), "vmx") == 0);
  BOOST_TEST(!c.libvirt_cpu.known());
  BOOST_TEST(c.libvirt_cpu.reason() == kLocalOnly);
}

BOOST_AUTO_TEST_CASE(fake_root_firmware) {
  const HostFacts h = collect_local(fake());
  const FirmwareFacts& f = h.firmware;
  // The CPU has VT-x (CPUID 1 ECX bit 5) but the kernel does not list vmx: firmware.
  BOOST_TEST(*cpuid_bit(h.cpu.cpuid.value(), 1, 0, CpuidReg::ecx, 5) == true);
  BOOST_TEST(f.virtualization.value() == false);
  BOOST_TEST(f.nx.value() == true);
  BOOST_TEST(f.aes.value() == true);
  BOOST_TEST(f.x2apic.value() == true);
  BOOST_TEST(f.sgx.value() == false);
  BOOST_TEST(f.smt.value() == true);
  BOOST_TEST(f.tsx.value() == "disabled");  // RTM in CPUID, not in the kernel's flags
  BOOST_TEST(f.iommu.value() == true);
  BOOST_TEST(f.vulnerabilities.value().size() == 5u);
  BOOST_TEST(f.vulnerabilities.value().at("tsx_async_abort") == "Mitigation: TSX disabled");
}

BOOST_AUTO_TEST_CASE(firmware_follows_the_kernel_flags) {
  RootCopy root;
  std::string cpuinfo = read_file((root.dir / "proc/cpuinfo").string());
  for (size_t at = 0; (at = cpuinfo.find("flags\t\t: fpu", at)) != std::string::npos; at += 10)
    cpuinfo.replace(at, 12, "flags\t\t: fpu vmx rtm hle");
  root.write("proc/cpuinfo", cpuinfo);
  root.write("sys/devices/system/cpu/smt/active", "0\n");
  fs::remove_all(root.dir / "sys/class/iommu/dmar0");
  const HostFacts h = collect_local(fake(root.dir.string()));
  BOOST_TEST(h.firmware.virtualization.value() == true);
  BOOST_TEST(h.firmware.tsx.value() == "enabled");
  BOOST_TEST(h.firmware.smt.value() == false);
  BOOST_TEST(h.firmware.iommu.value() == false);
}

// AMD-V is read from its own bit (CPUID 0x80000001 ECX bit 2) and the kernel's svm
// flag, as VT-x from its: no table of vendor strings picks which.
BOOST_AUTO_TEST_CASE(amd_v_follows_the_svm_bit_and_the_kernel_flag) {
  static const auto cpus = parse_libcpuid_dump_cpus(read_file(kDump), kDump);
  const auto amd = [](unsigned cpu) {
    std::vector<CpuidLeaf> leaves = cpus.at(cpu);
    for (CpuidLeaf& l : leaves) {
      if (l.leaf == 0) l.ebx = 0x68747541, l.edx = 0x69746e65, l.ecx = 0x444d4163;  // "AuthenticAMD"
      if (l.leaf == 1) l.ecx &= ~(1u << 5);                                            // no vmx
      if (l.leaf == 0x80000001) l.ecx |= 1u << 2;                                      // svm
    }
    return leaves;
  };
  RootCopy root;
  LocalCollectOptions o = fake(root.dir.string());
  o.read_cpuid = amd;
  BOOST_TEST(collect_local(o).cpu.vendor.value() == "AuthenticAMD");
  BOOST_TEST(collect_local(o).firmware.virtualization.value() == false);  // the kernel lists no svm: firmware
  std::string cpuinfo = read_file((root.dir / "proc/cpuinfo").string());
  for (size_t at = 0; (at = cpuinfo.find("flags\t\t: fpu", at)) != std::string::npos; at += 10)
    cpuinfo.replace(at, 12, "flags\t\t: fpu svm");
  root.write("proc/cpuinfo", cpuinfo);
  BOOST_TEST(collect_local(o).firmware.virtualization.value() == true);
}

BOOST_AUTO_TEST_CASE(fake_root_nics_and_their_speeds) {
  const HostFacts h = collect_local(fake());
  const auto& nics = h.nics.value();
  // Physical NICs and the bond of two of them; bridges, veth, vnet and lo are not NICs.
  std::vector<std::string> names;
  for (const NicFacts& n : nics) names.push_back(n.name);
  BOOST_TEST(names == (std::vector<std::string>{"bond0", "eno1", "eno2", "eno3"}), boost::test_tools::per_element());
  BOOST_TEST(nics[1].speed_mbps.value() == 10000u);
  BOOST_TEST(nics[1].up);
  BOOST_TEST(nics[0].speed_mbps.value() == 2000u);
  // A link that is down says -1: unknown with the file named, never 0.
  BOOST_TEST(!nics[3].speed_mbps.known());
  BOOST_TEST(nics[3].speed_mbps.reason().find("eno3/speed: '-1'") != std::string::npos);
  BOOST_TEST(!nics[3].up);
}

BOOST_AUTO_TEST_CASE(a_nic_without_a_speed_file_has_an_unknown_speed) {
  RootCopy root;
  fs::remove(root.dir / "sys/class/net/eno2/speed");
  fs::remove(root.dir / "sys/class/net/eno2/operstate");
  const HostFacts h = collect_local(fake(root.dir.string()));
  const NicFacts& eno2 = h.nics.value()[2];
  BOOST_TEST(eno2.name == "eno2");
  BOOST_TEST(!eno2.speed_mbps.known());
  BOOST_TEST(eno2.speed_mbps.reason().find("eno2/speed") != std::string::npos);
  BOOST_TEST(!eno2.up);
}

BOOST_AUTO_TEST_CASE(fake_root_bridges_and_mounts) {
  const HostFacts h = collect_local(fake());
  BOOST_TEST_REQUIRE(h.bridges.value().size() == 3u);
  BOOST_TEST(h.bridges.value()[0].name == "br0");
  BOOST_TEST(h.bridges.value()[0].subnets.empty());
  BOOST_TEST(member(h, "br0", "eno1")->physical.value() == true);
  BOOST_TEST(member(h, "br0", "vethab12")->physical.value() == false);
  BOOST_TEST(member(h, "br1", "bond0")->physical.value() == true);  // a bond of NICs
  BOOST_TEST(member(h, "virbr0", "vnet0")->physical.value() == false);

  const auto& mounts = h.mounts.value();
  BOOST_TEST(mounts.size() == 9u);  // 13 lines: proc, sysfs, cgroup2 left out; /boot shadowed
  BOOST_TEST(mount(h, "/proc") == nullptr);
  BOOST_TEST(mount(h, "/var/lib/libvirt/images")->shared == true);
  BOOST_TEST(mount(h, "/var/lib/libvirt/images")->source == "filer1.lab:/export/vmstore");
  BOOST_TEST(mount(h, "/mnt/gluster")->shared == true);
  BOOST_TEST(mount(h, "/mnt/cephfs")->shared == true);
  BOOST_TEST(mount(h, "/mnt/sshfs")->shared == false);
  BOOST_TEST(mount(h, "/")->shared == false);
  BOOST_TEST(mount(h, "/srv/vm images")->fstype == "xfs");
  BOOST_TEST(mount(h, "/mnt/odd")->shared == false);  // unknown type, statfs fails below a fake root
  BOOST_TEST(mount(h, "/boot")->fstype == "nfs");     // the later mount hides the ext4 one
  BOOST_TEST(mount(h, "/boot")->shared == true);
}

BOOST_AUTO_TEST_CASE(libvirt_facts_are_unknown_locally) {
  const HostFacts h = collect_local(fake());
  BOOST_TEST(h.hypervisor.libvirt_version.reason() == kLocalOnly);
  BOOST_TEST(h.networks.reason() == kLocalOnly);
  BOOST_TEST(h.pools.reason() == kLocalOnly);
  BOOST_TEST(h.vms.reason() == kLocalOnly);
  BOOST_TEST(h.migration_address.reason() == kLocalOnly);
}

BOOST_AUTO_TEST_CASE(cpus_that_cannot_be_read_are_counted_out) {
  LocalCollectOptions o = fake();
  auto inner = o.read_cpuid;
  o.read_cpuid = [inner](unsigned cpu) {
    if (cpu == 2) throw Error("cpu 2: refused");
    return inner(cpu);
  };
  BOOST_TEST(collect_local(o).cpu.cpuid_cpus_read.value() == 3u);

  o.read_cpuid = [](unsigned cpu) -> std::vector<CpuidLeaf> {
    throw Error("cpu " + std::to_string(cpu) + ": refused");
  };
  const HostFacts h = collect_local(o);
  BOOST_TEST(!h.cpu.cpuid.known());
  BOOST_TEST(h.cpu.cpuid.reason() == "cpu 0: refused");
  BOOST_TEST(!h.cpu.cpuid_cpus_read.known());
  BOOST_TEST(h.cpu.vendor.value() == "GenuineIntel");  // from /proc/cpuinfo
  BOOST_TEST(h.cpu.model.value() == 85u);
  BOOST_TEST(!h.firmware.virtualization.known());
  BOOST_TEST(h.firmware.smt.value() == true);  // other readers went on
}

// The collector keeps read_cpuid's answers and records where a second source
// disagrees (the product decision: the instruction, as libvirt reads it, wins).
BOOST_AUTO_TEST_CASE(a_second_cpuid_source_that_agrees_leaves_no_disagreement) {
  LocalCollectOptions o = fake();
  o.read_cpuid_source = "dump";
  auto same = o.read_cpuid;
  o.read_cpuid_crosscheck = [same](unsigned cpu) {
    auto leaves = same(cpu);
    leaves[1].ebx ^= 0x0f000000;  // another APIC id: an identifier, not a difference
    return leaves;
  };
  const HostFacts h = collect_local(o);
  BOOST_TEST(h.cpu.cpuid_source.value() == "dump");
  BOOST_TEST_REQUIRE(h.cpu.cpuid_disagreement.known(), h.cpu.cpuid_disagreement.reason());
  BOOST_TEST(h.cpu.cpuid_disagreement.value().empty());
  BOOST_TEST(collection_warnings(h).empty());
}

BOOST_AUTO_TEST_CASE(a_second_cpuid_source_that_disagrees_is_recorded_and_warned_about) {
  LocalCollectOptions o = fake();
  o.read_cpuid_source = "instruction";
  auto inner = o.read_cpuid;
  o.read_cpuid_crosscheck = [inner](unsigned cpu) {
    auto leaves = inner(cpu);
    BOOST_TEST(cpu == 0u);  // asked for the reference CPU only
    for (CpuidLeaf& l : leaves) {
      if (l.leaf == 1) l.ecx ^= 1u << 31;            // the hypervisor bit, flipped
      if (l.leaf == 0x80000002) l.eax = 0x4d56484b;  // another brand string
    }
    return leaves;
  };
  const HostFacts h = collect_local(o);
  const auto& first = *find_cpuid_leaf(h.cpu.cpuid.value(), 1);
  BOOST_TEST_REQUIRE(h.cpu.cpuid_disagreement.known(), h.cpu.cpuid_disagreement.reason());
  const auto& differs = h.cpu.cpuid_disagreement.value();
  BOOST_TEST_REQUIRE(differs.size() == 2u);
  BOOST_TEST(differs[0].leaf == 1u);
  BOOST_TEST(differs[0].ecx == (first.ecx ^ (1u << 31)));  // the second source's answer
  BOOST_TEST(differs[1].leaf == 0x80000002u);
  BOOST_TEST(h.cpu.cpuid.value() == inner(0));  // the facts keep the first source
  const auto warnings = collection_warnings(h);
  BOOST_TEST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0] ==
             "CPUID sources disagree on 2 leaves (0x1.0, 0x80000002.0): the facts keep what the instruction "
             "answered, as libvirt's host CPU detection does; a hypervisor below this machine answers the two "
             "differently, so compare the features with 'virsh capabilities' here before trusting a verdict");
}

BOOST_AUTO_TEST_CASE(a_cpuid_cross_check_that_cannot_run_is_unknown_with_the_reason) {
  LocalCollectOptions o = fake();
  BOOST_TEST(collect_local(o).cpu.cpuid_disagreement.reason() == "no second CPUID source to cross-check with");
  BOOST_TEST(collect_local(o).cpu.cpuid_source.value() == "injected reader");
  o.read_cpuid_crosscheck = [](unsigned) -> std::vector<CpuidLeaf> {
    throw Error("cpu 0: cannot read CPUID: /dev/cpu/0/cpuid: No such file or directory");
  };
  const HostFacts h = collect_local(o);
  BOOST_TEST(h.cpu.cpuid_disagreement.reason() ==
             "cpu 0: cannot read CPUID: /dev/cpu/0/cpuid: No such file or directory");
  BOOST_TEST(collection_warnings(h).empty());
}

BOOST_AUTO_TEST_CASE(an_empty_root_gives_unknowns_with_reasons) {
  const fs::path empty = fs::temp_directory_path() / ("preflight-emptyroot-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  HostFacts h;
  BOOST_REQUIRE_NO_THROW(h = collect_local(fake(empty.string())));
  fs::remove_all(empty);
  BOOST_TEST(h.name == "localhost");
  BOOST_TEST(h.hostname.reason() == empty.string() + "/proc/sys/kernel/hostname: No such file or directory");
  BOOST_TEST(h.host_uuid.reason() == empty.string() + "/sys/class/dmi/id/product_uuid: No such file or directory");
  BOOST_TEST(h.memory.total_kib.reason() == empty.string() + "/proc/meminfo: No such file or directory");
  BOOST_TEST(!h.memory.hugepages.known());
  BOOST_TEST(!h.topology.cpus.known());
  BOOST_TEST(!h.topology.sockets.known());
  BOOST_TEST(!h.cpu.microcode.known());
  BOOST_TEST(!h.cpu.kernel_flags.known());
  BOOST_TEST(h.cpu.cpuid.known());  // CPU 0 of the dump: CPUID does not live in the root
  BOOST_TEST(!h.firmware.aes.known());  // needs the kernel's flags
  BOOST_TEST(!h.firmware.smt.known());
  BOOST_TEST(!h.firmware.vulnerabilities.known());
  BOOST_TEST(!h.bridges.known());
  BOOST_TEST(!h.nics.known());
  BOOST_TEST(h.mounts.reason() == empty.string() + "/proc/self/mountinfo: No such file or directory");
}

BOOST_AUTO_TEST_CASE(live_machine_structure) {
  const HostFacts h = collect_local(LocalCollectOptions{});
  BOOST_TEST(h.source == "local");
  BOOST_TEST_REQUIRE(h.cpu.cpuid.known(), h.cpu.cpuid.reason());
  const auto& leaves = h.cpu.cpuid.value();
  BOOST_TEST(std::is_sorted(leaves.begin(), leaves.end(), [](const CpuidLeaf& a, const CpuidLeaf& b) {
    return a.leaf != b.leaf ? a.leaf < b.leaf : a.subleaf < b.subleaf;
  }));
  BOOST_TEST_REQUIRE(find_cpuid_leaf(leaves, 0) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 1) != nullptr);
  BOOST_TEST(find_cpuid_leaf(leaves, 0x80000000) != nullptr);
  const uint32_t max_basic = std::min<uint32_t>(find_cpuid_leaf(leaves, 0)->eax, 0x100);
  BOOST_TEST(find_cpuid_leaf(leaves, max_basic) != nullptr);
  BOOST_TEST(h.cpu.vendor.known());
  BOOST_TEST(h.cpu.family.known());
  BOOST_TEST(h.cpu.model.known());
  BOOST_TEST(h.cpu.cpuid_cpus_read.value() >= 1u);
  BOOST_TEST_REQUIRE(h.topology.cpus.known());
  BOOST_TEST(h.cpu.cpuid_cpus_read.value() <= h.topology.cpus.value());
  BOOST_TEST(h.hostname.known());
  BOOST_TEST(h.memory.total_kib.value() > 0u);
  BOOST_TEST(h.mounts.known());
  BOOST_TEST(h.cpu.kernel_flags.known());
  for (const auto& v : h.cpu.cpuid_variants) BOOST_TEST(!v.cpus.empty());
  // The instruction is trusted; the device, where readable, is only compared.
  BOOST_TEST(h.cpu.cpuid_source.value() == "instruction");
  if (h.cpu.cpuid_disagreement.known()) {
    BOOST_TEST(collection_warnings(h).empty() == h.cpu.cpuid_disagreement.value().empty());
  } else {
    BOOST_TEST(h.cpu.cpuid_disagreement.reason().find("/dev/cpu/0/cpuid") != std::string::npos,
               h.cpu.cpuid_disagreement.reason());
  }
  BOOST_TEST_MESSAGE("live: " << leaves.size() << " leaves on CPU 0, " << h.cpu.cpuid_cpus_read.value()
                              << " CPUs read, " << h.cpu.cpuid_variants.size() << " variants; "
                              << h.cpu.vendor.value() << " family " << h.cpu.family.value() << " model "
                              << h.cpu.model.value() << " stepping " << h.cpu.stepping.value_or(0) << " microcode "
                              << h.cpu.microcode.value_or("?") << " codename " << h.cpu.codename.value_or("?"));
}

BOOST_AUTO_TEST_CASE(feature_msrs_come_from_the_reader_and_decode_into_features) {
  // A recorded root reads no MSRs unless told how (unknown, not none); given a
  // reader, they are facts and the CPU engine turns IA32_ARCH_CAPABILITIES bits into features.
  BOOST_TEST(collect_local(fake()).cpu.msrs.reason() ==
             "MSRs are read from this machine's /dev/kvm only, not below " + kRoot);
  LocalCollectOptions o = fake();
  o.read_msrs = [] { return std::vector<MsrValue>{{0x10a, 0x21}}; };  // rdctl-no, mds-no
  const HostFacts h = collect_local(o);
  BOOST_TEST_REQUIRE(h.cpu.msrs.value().size() == 1u);
  const CpuCatalog catalog = CpuCatalog::load();
  const HostCpu cpu = resolve_host_cpu(h, catalog);
  BOOST_TEST(cpu.features.test(catalog.feature_id("rdctl-no")));
  BOOST_TEST(cpu.features.test(catalog.feature_id("mds-no")));
  BOOST_TEST(!cpu.features.test(catalog.feature_id("ibrs-all")));
  // A reader that fails leaves them unknown with its error, the rest collected.
  o.read_msrs = []() -> std::vector<MsrValue> { throw Error("/dev/kvm: cannot open: No such file"); };
  const HostFacts failed = collect_local(o);
  BOOST_TEST(failed.cpu.msrs.reason() == "/dev/kvm: cannot open: No such file");
  BOOST_TEST(failed.cpu.cpuid.known());
}

BOOST_AUTO_TEST_CASE(the_live_machine_reads_kvm_feature_msrs_where_kvm_opens) {
  const int fd = ::open("/dev/kvm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    BOOST_TEST_MESSAGE("no /dev/kvm to open here: KVM feature MSRs not tested");
    return;
  }
  ::close(fd);
  const std::vector<MsrValue> msrs = read_kvm_feature_msrs();
  BOOST_TEST(!msrs.empty());
  BOOST_TEST(collect_local(LocalCollectOptions{}).cpu.msrs.value() == msrs);
}
