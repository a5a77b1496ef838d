// The facts YAML round trip: a golden file for a fully populated host, losslessness
// on edge cases, and the exact messages for bad input.
#include <boost/test/unit_test.hpp>

#include "support/error_of.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/error.hpp"
#include "facts/facts_yaml.hpp"
#include "facts/facts_yaml_readers.hpp"

using namespace preflight;

namespace {

const std::string kGolden = std::string(PREFLIGHT_FIXTURES) + "/golden/facts_full.yaml";
const std::string kFixHint = "; fix the file, or collect the facts again with `preflight collect`";

CpuDefinition guest_cpu() {
  CpuDefinition c;
  c.mode = "custom";
  c.match = "exact";
  c.check = "partial";
  c.model = "Skylake-Server-IBRS";
  c.fallback = "forbid";
  c.vendor = "Intel";
  c.features = {{"avx512f", "require"}, {"pcid", "require"}, {"hle", "disable"}, {"rtm", "disable"}};
  return c;
}

CpuDefinition host_cpu() {
  CpuDefinition c;
  c.arch = "x86_64";
  c.model = "Cascadelake-Server-noTSX";
  c.vendor = "Intel";
  c.signature = CpuSignature{6, 85, 7};
  c.microcode = "0x5003604";
  c.features = {{"ds", ""}, {"acpi", ""}, {"ss", ""}, {"vmx", ""}, {"pdcm", ""}};
  return c;
}

VmFacts web_vm() {
  VmFacts vm;
  vm.name = "web1";
  vm.uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f";
  vm.state = "running";
  vm.virt_type = "kvm";
  vm.memory_kib = 4194304;
  vm.current_memory_kib = 2097152;
  vm.vcpus = 4;
  vm.hugepages = true;
  vm.hugepage_size_kib = 1048576;
  vm.has_cpu = true;
  vm.cpu = guest_cpu();
  vm.arch = "x86_64";
  vm.machine_type = "pc-q35-7.2";
  vm.emulator = "/usr/bin/qemu-system-x86_64";
  vm.loader = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";
  vm.nvram = "/var/lib/libvirt/qemu/nvram/web1_VARS.fd";
  vm.tpm = "tpm-crb/emulator";
  DiskFacts root;
  root.type = "file";
  root.device = "disk";
  root.target = "vda";
  root.source = "/var/lib/libvirt/images/web1.qcow2";
  root.format = "qcow2";
  root.cache = "none";
  root.capacity_bytes = 21474836480ULL;
  root.allocation_bytes = Fact<uint64_t>::unknown("the volume is not in a pool libvirt knows");
  DiskFacts cdrom;
  cdrom.type = "file";
  cdrom.device = "cdrom";
  cdrom.target = "sda";
  cdrom.readonly = true;
  cdrom.capacity_bytes = Fact<uint64_t>::unknown("no media");
  cdrom.allocation_bytes = Fact<uint64_t>::unknown("no media");
  DiskFacts rbd;
  rbd.type = "network";
  rbd.device = "disk";
  rbd.target = "vdb";
  rbd.source = "rbd://mon1/rbdpool/web1-data";
  rbd.protocol = "rbd";
  rbd.hosts = {"mon1:6789", "mon2:6789", "[fd00::3]:6789"};
  rbd.format = "raw";
  rbd.cache = "writeback";
  rbd.shareable = true;
  rbd.capacity_bytes = 107374182400ULL;
  rbd.allocation_bytes = 0;
  vm.disks = {root, cdrom, rbd};
  vm.interfaces = {{"network", "default", "web", "", "", "52:54:00:12:34:56", "virtio"},
                   {"bridge", "", "", "br0", "", "52:54:00:ab:cd:ef", "e1000e"}};
  vm.chardevs = {{"serial", "pty", ""}, {"console", "pty", ""}, {"channel", "unix", "/run/qga.sock"}};
  vm.hostdevs = {{"pci", "subsystem", "0000:03:00.0"}, {"usb", "subsystem", "usb 046d:c52b"}};
  vm.cputune.vcpupins = {{0, "2"}, {1, "3"}, {2, "4-5,^5"}, {3, "6"}};
  vm.cputune.emulatorpin = "0-1";
  vm.cputune.vcpu_cpuset = "2-7";
  return vm;
}

VmFacts db_vm() {
  VmFacts vm;
  vm.name = "db1";
  vm.uuid = "e2f0c1d4-0b3c-4f5e-9a8b-7c6d5e4f3a2b";
  vm.state = "shutoff";
  vm.memory_kib = 8388608;
  vm.current_memory_kib = 8388608;
  vm.vcpus = 8;
  vm.has_cpu = true;
  vm.cpu.mode = "host-passthrough";
  vm.cpu.check = "none";
  vm.arch = "x86_64";
  vm.machine_type = "pc-i440fx-7.2";
  vm.emulator = "/usr/bin/qemu-system-x86_64";
  DiskFacts vol;
  vol.type = "volume";
  vol.device = "disk";
  vol.target = "vda";
  vol.source = "default/db1.img";
  vol.pool = "default";
  vol.volume = "db1.img";
  vol.format = "raw";
  vol.capacity_bytes = 53687091200ULL;
  vol.allocation_bytes = 1073741824ULL;
  DiskFacts lun;
  lun.type = "block";
  lun.device = "lun";
  lun.target = "sdb";
  lun.source = "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2024-01.lab:store-lun-1";
  lun.cache = "directsync";
  vm.disks = {vol, lun};
  vm.interfaces = {{"direct", "", "", "", "eno2", "52:54:00:00:00:02", "virtio"}};
  vm.chardevs = {{"serial", "tcp", "127.0.0.1:4555"}};
  return vm;
}

// Every field set; a few Facts unknown.
HostFacts full_host() {
  HostFacts h;
  h.name = "hostA";
  h.source = "qemu+ssh://hostA/system";
  h.hostname = std::string("hosta.lab.example");
  h.host_uuid = std::string("4c4c4544-0042-3510-8052-b3c04f4b4d32");
  h.arch = std::string("x86_64");

  CpuFacts& cpu = h.cpu;
  cpu.vendor = std::string("GenuineIntel");
  cpu.family = 6;
  cpu.model = 85;
  cpu.stepping = 7;
  cpu.codename = std::string("Cascade Lake");
  cpu.brand = std::string("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
  cpu.microcode = std::string("0x5003604");
  cpu.cpuid = std::vector<CpuidLeaf>{{0x0, 0x0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69},
                                     {0x1, 0x0, 0x50657, 0x12400800, 0x7ffefbff, 0xbfebfbff},
                                     {0x7, 0x0, 0x0, 0xd39ffffb, 0x00000818, 0xbc000400},
                                     {0xd, 0x1, 0xf, 0x0, 0x100, 0x0},
                                     {0x80000000, 0x0, 0x80000008, 0x0, 0x0, 0x0}};
  cpu.cpuid_cpus_read = 80;
  cpu.cpuid_source = std::string("instruction");
  cpu.cpuid_disagreement = std::vector<CpuidLeaf>{{0x1, 0x0, 0x50657, 0x00400800, 0x7ffefbff, 0xbfebfbff}};
  cpu.cpuid_variants = {{"40-79", {{0x6, 0x0, 0x77, 0x2, 0x9, 0x0}}}};
  cpu.msrs = std::vector<MsrValue>{{0x10a, 0x2000c04}, {0x48f, 0x7fffff00036dfbULL}};
  cpu.libvirt_cpu = host_cpu();
  cpu.host_model = Fact<CpuDefinition>::unknown("domain capabilities not readable: permission denied");
  cpu.features = std::vector<std::string>{"sse4.1", "sse4.2", "avx512f", "avx512-vnni", "md-clear"};
  cpu.kernel_flags = std::vector<std::string>{"fpu", "vme", "de", "avx512_vnni", "md_clear"};

  FirmwareFacts& fw = h.firmware;
  fw.virtualization = true;
  fw.nx = true;
  fw.aes = true;
  fw.x2apic = true;
  fw.sgx = false;
  fw.smt = true;
  fw.tsx = std::string("disabled");
  fw.iommu = Fact<bool>::unknown("/sys/class/iommu not readable");
  fw.vulnerabilities = std::map<std::string, std::string>{
      {"mds", "Not affected"}, {"spectre_v2", "Mitigation: Enhanced IBRS, IBPB: conditional, RSB filling"}};

  h.memory.total_kib = 394637312ULL;
  h.memory.free_kib = 201326592ULL;
  h.memory.free_note = "total minus running domains";
  h.memory.hugepages = std::vector<HugepagePool>{{2048, 1024, 512}, {1048576, 16, 16}};

  h.topology.cpus = 80;
  h.topology.online = std::string("0-79");
  h.topology.sockets = 2;
  h.topology.cores_per_socket = 20;
  h.topology.threads_per_core = 2;
  h.topology.numa_nodes = 2;
  h.topology.mhz = Fact<uint32_t>::unknown("the test driver reports no frequency");

  h.hypervisor.driver = std::string("QEMU");
  h.hypervisor.libvirt_version = std::string("9.0.0");
  h.hypervisor.hypervisor_version = std::string("7.2.0");
  h.hypervisor.machine_types = std::vector<std::string>{"pc-q35-7.2", "q35", "pc-i440fx-7.2", "pc"};
  h.hypervisor.emulators = std::vector<std::string>{"/usr/bin/qemu-system-x86_64"};
  h.hypervisor.firmware = std::vector<std::string>{"/usr/share/OVMF/OVMF_CODE_4M.fd"};

  NetworkFacts def;
  def.name = "default";
  def.forward_mode = "nat";
  def.bridge = "virbr0";
  def.portgroups = {{"web", true}, {"db", false}};
  def.subnets = {"192.168.122.0/24"};
  def.active = true;
  NetworkFacts passthrough;
  passthrough.name = "sriov";
  passthrough.forward_mode = "hostdev";
  passthrough.forward_devs = {"enp3s0f0", "enp3s0f1"};
  NetworkFacts isolated;
  isolated.name = "isolated";
  isolated.active = true;
  h.networks = std::vector<NetworkFacts>{def, passthrough, isolated};

  BridgeMember eno1{"eno1", true};
  BridgeMember vnet{"vnet0", false};
  BridgeMember odd{"veth9", Fact<bool>::unknown("no /sys/class/net/veth9/device")};
  h.bridges = std::vector<BridgeFacts>{{"br0", {eno1, vnet, odd}, {"10.0.0.5/24"}}, {"br1", {}, {}}};
  h.nics = std::vector<NicFacts>{{"eno1", 10000, true},
                                 {"eno2", Fact<uint64_t>::unknown("/sys/class/net/eno2/speed: the link is down"), false},
                                 {"bond0", 20000, true}};

  PoolFacts images;
  images.name = "default";
  images.type = "dir";
  images.target_path = "/var/lib/libvirt/images";
  images.active = true;
  images.capacity_bytes = 982141468672ULL;
  images.available_bytes = 512110190592ULL;
  images.volumes = {{"db1.img", "/var/lib/libvirt/images/db1.img", "file", "raw", 53687091200ULL, 1073741824ULL},
                    {"web1.qcow2", "/var/lib/libvirt/images/web1.qcow2", "file", "qcow2", 21474836480ULL,
                     Fact<uint64_t>::unknown("volume info failed")}};
  PoolFacts nfs;
  nfs.name = "shared";
  nfs.type = "netfs";
  nfs.source.hosts = {"nas.lab.example"};
  nfs.source.dir = "/export/vms";
  nfs.source.format = "nfs";
  nfs.target_path = "/srv/shared";
  nfs.capacity_bytes = Fact<uint64_t>::unknown("pool inactive");
  nfs.available_bytes = Fact<uint64_t>::unknown("pool inactive");
  PoolFacts iscsi;
  iscsi.name = "san";
  iscsi.type = "iscsi";
  iscsi.source.hosts = {"10.0.0.5:3260"};
  iscsi.source.devices = {"iqn.2024-01.lab:store"};
  iscsi.target_path = "/dev/disk/by-path";
  iscsi.active = true;
  iscsi.capacity_bytes = 0;
  iscsi.available_bytes = 0;
  PoolFacts fc;
  fc.name = "fc";
  fc.type = "scsi";
  fc.source.adapter = "20000000c9831b4b:10000000c9831b4b";
  fc.source.name = "vg0";
  h.pools = std::vector<PoolFacts>{images, nfs, iscsi, fc};

  h.mounts = std::vector<MountFacts>{{"/", "ext4", "/dev/sda1", false},
                                     {"/srv/shared", "nfs4", "nas.lab.example:/export/vms", true}};
  GuestOffer kvm;
  kvm.virt_type = "kvm";
  kvm.emulator = "/usr/bin/qemu-system-x86_64";
  kvm.machine = "pc-q35-7.2";
  CpuDefinition hm;
  hm.model = "Cascadelake-Server";
  hm.vendor = "Intel";
  hm.fallback = "forbid";
  hm.features = {{"ss", "require"}, {"hle", "disable"}};
  kvm.host_model = hm;
  kvm.host_passthrough = kvm.maximum = true;
  kvm.models = {{"qemu64", "yes", "Intel", {}}, {"Icelake-Server", "no", "Intel", {"avx512vbmi", "gfni"}}};
  kvm.firmware_supported = true;
  kvm.loaders = {"/usr/share/OVMF/OVMF_CODE_4M.fd"};
  GuestOffer tcg;
  tcg.virt_type = "qemu";
  tcg.host_model = Fact<CpuDefinition>::unknown("domain capabilities for qemu guests: host-model CPU not supported");
  h.offers = std::vector<GuestOffer>{kvm, tcg};
  h.vms = std::vector<VmFacts>{web_vm(), db_vm()};
  h.migration_address = std::string("10.0.0.5:49152");
  h.pool_membership = "prod";
  return h;
}

// Every Fact unknown, every plain field empty.
HostFacts minimal_host() {
  HostFacts h;
  const auto why = [](const char* what) { return std::string("no libvirt connection: ") + what; };
  h.hostname = Fact<std::string>::unknown(why("hostname"));
  h.cpu.cpuid = Fact<std::vector<CpuidLeaf>>::unknown("/dev/cpu/0/cpuid: permission denied");
  h.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown(why("capabilities"));
  h.firmware.vulnerabilities = Fact<std::map<std::string, std::string>>::unknown("");
  h.memory.hugepages = Fact<std::vector<HugepagePool>>::unknown("a: b # \"quoted\"\nsecond line");
  h.vms = Fact<std::vector<VmFacts>>::unknown(why("domains"));
  return h;  // the rest keep Fact's default reason, "not collected"
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The message of the Error that reading `text` throws; "" when it does not throw.
std::string error_of(const std::string& text) {
  return preflight::test::error_of([&] { facts_from_yaml(text, "f.yaml"); });
}

}  // namespace

BOOST_AUTO_TEST_CASE(full_host_matches_golden_file_and_reads_back) {
  const HostFacts h = full_host();
  const std::string yaml = facts_to_yaml(h);
  const char* regen = std::getenv("PREFLIGHT_REGEN_GOLDEN");
  if (regen && std::string(regen) == "1") {
    std::filesystem::create_directories(std::filesystem::path(kGolden).parent_path());
    std::ofstream(kGolden, std::ios::binary) << yaml;
  }
  BOOST_TEST(yaml == slurp(kGolden), "facts_to_yaml differs from " << kGolden
                                                                   << " (PREFLIGHT_REGEN_GOLDEN=1 rewrites it)");
  BOOST_TEST((facts_from_yaml(yaml, "full") == h));
  BOOST_TEST((load_facts_file(kGolden) == h));
}

BOOST_AUTO_TEST_CASE(minimal_host_round_trips) {
  const HostFacts h = minimal_host();
  const HostFacts back = facts_from_yaml(facts_to_yaml(h), "minimal");
  BOOST_TEST((back == h));
  BOOST_TEST(back.memory.hugepages.reason() == h.memory.hugepages.reason());
  BOOST_TEST(back.cpu.family.reason() == "not collected");
  BOOST_TEST((facts_from_yaml(facts_to_yaml(HostFacts{}), "default") == HostFacts{}));
}

BOOST_AUTO_TEST_CASE(known_facts_are_plain_values_unknown_ones_say_why) {
  const std::string yaml = facts_to_yaml(full_host());
  BOOST_TEST(yaml.find("schema_version: 1\nhost:\n  name: hostA\n") != std::string::npos);
  BOOST_TEST(yaml.find("    total_kib: 394637312\n") != std::string::npos);
  BOOST_TEST(yaml.find("    mhz: {unknown: \"the test driver reports no frequency\"}\n") != std::string::npos);
  BOOST_TEST(yaml.find("    - [0x00000007, 0x0, 0x00000000, 0xd39ffffb, 0x00000818, 0xbc000400]\n") !=
             std::string::npos);
  BOOST_TEST(yaml.find("{index: 0x0000010a, value: 0x0000000002000c04}") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(facts_that_differ_only_in_a_reason_or_emptiness_stay_distinct) {
  HostFacts a;
  a.hostname = std::string("");  // known and empty is not unknown
  a.cpu.features = std::vector<std::string>{};
  a.firmware.vulnerabilities = std::map<std::string, std::string>{{"unknown", "a real key named unknown"}};
  HostFacts b;
  b.firmware.vulnerabilities = std::map<std::string, std::string>{{"", ""}, {"\r", "\n"}, {"null", "~"}};
  a.networks = std::vector<NetworkFacts>{};
  const HostFacts back = facts_from_yaml(facts_to_yaml(a), "a");
  BOOST_TEST((back == a));
  BOOST_TEST(back.hostname.known());
  BOOST_TEST(back.cpu.features.known());
  BOOST_TEST(back.firmware.vulnerabilities.known());
  BOOST_TEST(back.networks.known());
  BOOST_TEST((facts_from_yaml(facts_to_yaml(b), "b") == b));
}

BOOST_AUTO_TEST_CASE(vm_edge_cases_round_trip) {
  VmFacts vm;  // a shut-off VM with almost nothing, and awkward strings
  vm.name = "null";
  vm.uuid = "~";
  vm.state = "true";
  vm.has_cpu = true;  // a <cpu> element with nothing in it
  vm.cpu.signature = CpuSignature{25, 1, std::nullopt};
  DiskFacts empty_cdrom;
  empty_cdrom.type = "file";
  empty_cdrom.device = "cdrom";
  empty_cdrom.target = "hdc";
  empty_cdrom.readonly = true;
  DiskFacts gluster;
  gluster.type = "network";
  gluster.device = "disk";
  gluster.target = "vdc";
  gluster.protocol = "gluster";
  gluster.source = "gluster://g1/vol/img: with colon";
  gluster.hosts = {"g1:24007", "g2", "[fd00::1]:24007", "#hash", "- dash", ""};
  gluster.capacity_bytes = UINT64_MAX;
  vm.disks = {empty_cdrom, gluster};
  vm.interfaces = {{}};  // every string empty
  vm.cputune.vcpupins = {{UINT32_MAX, "0-3,^2"}};
  VmFacts plain;
  plain.name = "  leading and trailing spaces  ";
  plain.arch = "x86_64\nsecond line\ttab";
  plain.emulator = "é ünïcödé";
  plain.loader = "\r";
  plain.nvram = std::string("nul\0byte\x7f", 9);

  HostFacts h;
  h.vms = std::vector<VmFacts>{vm, plain, VmFacts{}};
  const HostFacts back = facts_from_yaml(facts_to_yaml(h), "vms");
  BOOST_TEST((back == h));
  BOOST_REQUIRE(back.vms.known());
  BOOST_REQUIRE(back.vms.value().size() == 3u);
  const VmFacts& v = back.vms.value()[0];
  BOOST_TEST(v.disks[0].source.empty());
  BOOST_TEST(!v.disks[0].capacity_bytes.known());
  BOOST_TEST(v.disks[1].hosts.size() == 6u);
  BOOST_TEST(!v.cpu.signature->stepping.has_value());
}

BOOST_AUTO_TEST_CASE(absent_fact_reads_as_unknown_naming_the_file) {
  const HostFacts h = facts_from_yaml("schema_version: 1\nhost:\n  name: x\n  memory: {total_kib: 0x10}\n", "f.yaml");
  BOOST_TEST(h.name == "x");
  BOOST_TEST(h.memory.total_kib.value() == 16u);
  BOOST_TEST(!h.memory.free_kib.known());
  BOOST_TEST(h.memory.free_kib.reason() == "not in f.yaml");
  BOOST_TEST(!h.cpu.cpuid.known());
}

BOOST_AUTO_TEST_CASE(nics_and_their_speeds_are_unknown_when_absent_never_zero_through_both_readers) {
  // A facts file from before NIC speeds were collected: no nics at all.
  const std::string old = "schema_version: 1\nhost:\n  name: x\n";
  const std::string listed = old + "  nics:\n    - {name: eno1, up: true}\n    - {name: eno2, speed_mbps: 25000, up: true}\n";
  for (const auto& read : {std::function<HostFacts(const std::string&)>(
                               [](const std::string& t) { return facts_from_yaml(t, "f.yaml"); }),
                           std::function<HostFacts(const std::string&)>(
                               [](const std::string& t) { return facts_from_yaml_cpp(t, "f.yaml"); })}) {
    const HostFacts h = read(old);
    BOOST_TEST(!h.nics.known());
    BOOST_TEST(h.nics.reason() == "not in f.yaml");
    const HostFacts l = read(listed);
    BOOST_REQUIRE(l.nics.value().size() == 2u);
    BOOST_TEST(!l.nics.value()[0].speed_mbps.known());
    BOOST_TEST(l.nics.value()[0].speed_mbps.reason() == "not in f.yaml");
    BOOST_TEST(l.nics.value()[1].speed_mbps.value() == 25000u);
    BOOST_TEST((facts_from_yaml(facts_to_yaml(l), "again") == l));
  }
}

// The writer puts the number of VMs before the list, and every key after it even
// when empty; a file cut short between two VM entries (each one whole), inside the
// last one, or before a later key is refused by each reader, not read as a host
// with fewer VMs (its vCPU overcommit would look lower than it is) or a VM without
// its devices. Without the count (a file written by hand, or before the count) the
// list is taken as it is.
BOOST_AUTO_TEST_CASE(a_file_cut_short_after_its_vm_count_is_refused_by_each_reader) {
  HostFacts host = full_host();
  host.pool_membership.clear();  // written all the same: ""
  const std::string yaml = facts_to_yaml(host);
  BOOST_REQUIRE(host.vms.value().size() == 2u);
  const size_t count_at = yaml.find("  vm_count: 2\n  vms:\n");
  BOOST_REQUIRE(count_at != std::string::npos);
  const size_t second_vm = yaml.find("    - name: db1\n");
  const size_t address = yaml.find("  migration_address: ");
  const size_t pool = yaml.find("  pool_membership: \"\"\n");
  BOOST_REQUIRE(second_vm != std::string::npos);
  BOOST_REQUIRE(address != std::string::npos);
  BOOST_REQUIRE(pool != std::string::npos);
  BOOST_REQUIRE(pool + std::string("  pool_membership: \"\"\n").size() == yaml.size());  // the last line
  const std::string line = std::to_string(std::count(yaml.begin(), yaml.begin() + count_at, '\n') + 1);
  const std::string between = yaml.substr(0, second_vm);  // web1 whole, db1 and the rest gone
  const std::string no_list = yaml.substr(0, yaml.find("  vms:\n", count_at));
  const std::string after_last_vm = yaml.substr(0, address);  // db1 whole, the host's later keys gone
  const size_t db1_vcpus = yaml.find("      vcpus: ", second_vm);
  BOOST_REQUIRE(db1_vcpus < address);
  const std::string in_last_vm = yaml.substr(0, yaml.find('\n', db1_vcpus) + 1);  // db1 cut after its vcpus
  BOOST_REQUIRE(in_last_vm.size() < after_last_vm.size());
  const std::string before_pool = yaml.substr(0, pool);
  std::string without_count = between;
  without_count.erase(count_at, std::string("  vm_count: 2\n").size());
  const std::string at = "f.yaml:" + line + ":13: host.vm_count: ";
  const std::string hint =
      "; collect the facts again with `preflight collect` (or, for a file edited by hand, correct or remove the "
      "count)";
  using Read = std::function<HostFacts(const std::string&)>;
  for (const Read& read : {Read([](const std::string& t) { return facts_from_yaml(t, "f.yaml"); }),
                           Read([](const std::string& t) { return facts_from_yaml_subset(t, "f.yaml").value(); }),
                           Read([](const std::string& t) { return facts_from_yaml_cpp(t, "f.yaml"); })}) {
    BOOST_TEST(preflight::test::error_of([&] { read(between); }) ==
               at + "says 2 entries, but 'vms' lists 1: the file was cut short or edited" + hint);
    BOOST_TEST(preflight::test::error_of([&] { read(no_list); }) ==
               at + "is given, but 'vms' after it is not: the file was cut short" + hint);
    for (const std::string* text : {&after_last_vm, &in_last_vm})
      BOOST_TEST(preflight::test::error_of([&] { read(*text); }) ==
                 at + "is given, but 'migration_address' after it is not: the file was cut short" + hint);
    BOOST_TEST(preflight::test::error_of([&] { read(before_pool); }) ==
               at + "is given, but 'pool_membership' after it is not: the file was cut short" + hint);
    const HostFacts h = read(without_count);
    BOOST_TEST(h.vms.value().size() == 1u);
    BOOST_TEST((read(yaml) == host));
  }
  HostFacts unknown_vms = full_host();
  unknown_vms.vms = Fact<std::vector<VmFacts>>::unknown("the connection was refused");
  const std::string unknown_yaml = facts_to_yaml(unknown_vms);
  BOOST_TEST(unknown_yaml.find("vm_count") == std::string::npos);  // no count of an unknown list
  BOOST_TEST((facts_from_yaml(unknown_yaml, "f.yaml") == unknown_vms));
}

BOOST_AUTO_TEST_CASE(malformed_yaml_names_file_line_and_column) {
  BOOST_TEST(error_of("schema_version: 1\nhost: [1, 2\nb: c\n") ==
             "f.yaml:3:2: end of sequence flow not found" + kFixHint);
}

BOOST_AUTO_TEST_CASE(missing_schema_version_is_refused) {
  BOOST_TEST(error_of("host:\n  name: x\n") ==
             "f.yaml: no schema_version: not a preflight facts file; collect the facts again with this preflight "
             "(it reads schema_version 1)");
}

BOOST_AUTO_TEST_CASE(other_schema_version_is_refused_with_the_version) {
  BOOST_TEST(error_of("schema_version: 2\nhost:\n  new_key: x\n") ==
             "f.yaml:1:17: schema_version 2 is not supported; collect the facts again with this preflight "
             "(it reads schema_version 1)");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_the_key_path) {
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  name: x\n  memory:\n    total_kib: abc\n") ==
             "f.yaml:5:16: host.memory.total_kib: expected an unsigned integer, not 'abc'" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  topology: {cpus: -1}\n") ==
             "f.yaml:3:20: host.topology.cpus: expected an unsigned integer, not '-1'" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  topology: {cpus: 4294967296}\n") ==
             "f.yaml:3:20: host.topology.cpus: expected an unsigned integer up to 4294967295, not '4294967296'" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  networks:\n    - name: n\n      active: yes\n") ==
             "f.yaml:5:15: host.networks[0].active: expected true or false" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  hostname: [a]\n") ==
             "f.yaml:3:13: host.hostname: expected a string" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  vms: {a: 1}\n") ==
             "f.yaml:3:8: host.vms: expected a list" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  cpu:\n    cpuid:\n      - [0x1, 0x0, 0x1]\n") ==
             "f.yaml:5:9: host.cpu.cpuid[0]: expected [leaf, subleaf, eax, ebx, ecx, edx]" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  cpu:\n    cpuid:\n      - [0x1, 0x0, 0x1, 0x2, zz, 0x4]\n") ==
             "f.yaml:5:30: host.cpu.cpuid[0][4]: expected an unsigned integer, not 'zz'" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  memory: {total_kib: {unknown: [x]}}\n") ==
             "f.yaml:3:33: host.memory.total_kib.unknown: expected a string" + kFixHint);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_refused_with_a_suggestion) {
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  memory:\n    totl_kib: 1\n") ==
             "f.yaml:4:5: host.memory: unknown key 'totl_kib' (did you mean 'total_kib'?); known keys: total_kib, "
             "free_kib, free_note, hugepages");
  BOOST_TEST(error_of("schema_version: 1\nhost: {}\ncomment: x\n") ==
             "f.yaml:3:1: unknown key 'comment'; known keys: schema_version, host");
}

BOOST_AUTO_TEST_CASE(duplicate_key_is_refused) {
  BOOST_TEST(error_of("schema_version: 1\nhost:\n  name: a\n  name: b\n") ==
             "f.yaml:4:3: host: duplicate key 'name'" + kFixHint);
}

BOOST_AUTO_TEST_CASE(not_a_facts_document_is_refused) {
  BOOST_TEST(error_of("") ==
             "f.yaml: empty: not a preflight facts file; give a file written by `preflight collect` "
             "(schema_version and host)");
  BOOST_TEST(error_of("- a\n") == "f.yaml:1:1: expected a map with schema_version and host" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\n") == "f.yaml: no host: not a preflight facts file" + kFixHint);
  BOOST_TEST(error_of("schema_version: 1\nhost: {}\n---\nschema_version: 1\n") ==
             "f.yaml:4:1: a second YAML document; a facts file holds one" + kFixHint);
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_path) {
  const std::string path = "/nonexistent/dir/facts.yaml";
  try {
    load_facts_file(path);
    BOOST_FAIL("no error for a missing file");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()) ==
               path + ": cannot read: No such file or directory; check the path; `preflight collect -w FILE` "
                      "writes a facts file");
  }
  try {
    load_facts_file(PREFLIGHT_FIXTURES);
    BOOST_FAIL("no error for a directory");
  } catch (const Error& e) {
    BOOST_TEST(std::string(e.what()).rfind(std::string(PREFLIGHT_FIXTURES) + ": is a directory", 0) == 0);
  }
}
