#include "collect/libvirt_collector.hpp"

#include "collect/libvirt_api.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>

#include "collect/capabilities_xml.hpp"
#include "collect/domain_xml.hpp"
#include "collect/libvirt_client.hpp"
#include "collect/network_xml.hpp"
#include "collect/pool_xml.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "facts/vm_state.hpp"

namespace preflight {

namespace {

// True when the last failure says the domain no longer exists.
bool domain_vanished() { return last_libvirt_code() == VIR_ERR_NO_DOMAIN; }

std::string version_string(unsigned long v) {
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." + std::to_string(v % 1000);
}

// Runs `fill`; an Error (a libvirt call or parse that failed) makes `fact` unknown
// with the message rather than leaving a partial list that looks whole.
template <class T>
void collect_into(Fact<T>& fact, const std::function<T()>& fill) {
  try {
    fact = fill();
  } catch (const Error& e) {
    fact = Fact<T>::unknown(e.what());
  }
}

std::vector<NetworkFacts> networks(virConnectPtr conn, const std::string& uri) {
  virNetworkPtr* list = nullptr;
  const int n = virConnectListAllNetworks(conn, &list, 0);
  if (n < 0) throw Error(uri + ": cannot list networks: " + last_libvirt_error());
  std::vector<NetworkFacts> out;
  for (const auto& net : take_list(list, n)) {
    const std::string name = virNetworkGetName(net.get());
    const std::string xml = take_string(virNetworkGetXMLDesc(net.get(), 0));
    if (xml.empty()) throw Error(uri + ": network " + name + ": cannot read XML: " + last_libvirt_error());
    NetworkFacts f = parse_network_xml(xml, uri + " network " + name);
    f.active = virNetworkIsActive(net.get()) == 1;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<BridgeFacts> bridges(virConnectPtr conn, const std::string& uri) {
  virInterfacePtr* list = nullptr;
  const int n = virConnectListAllInterfaces(conn, &list, 0);
  if (n < 0) throw Error(uri + ": cannot list host interfaces: " + last_libvirt_error());
  std::vector<BridgeFacts> out;
  for (const auto& iface : take_list(list, n)) {
    const std::string name = virInterfaceGetName(iface.get());
    const std::string xml = take_string(virInterfaceGetXMLDesc(iface.get(), 0));
    if (xml.empty()) throw Error(uri + ": interface " + name + ": cannot read XML: " + last_libvirt_error());
    if (auto b = parse_interface_xml(xml, uri + " interface " + name)) out.push_back(std::move(*b));
  }
  return out;
}

// The physical NICs among the host's node devices (parse_net_device_xml), in
// libvirt's order. An empty list is a host without one that libvirt sees. A device
// whose parent is "computer" (a VM's tap, a bridge, a veth) is no NIC and its XML
// is not read; one that is gone by the time it is read (a VM stopped meanwhile) is
// skipped, as a domain that vanishes is.
std::vector<NicFacts> nics(virConnectPtr conn, const std::string& uri) {
  virNodeDevicePtr* list = nullptr;
  const int n = virConnectListAllNodeDevices(conn, &list, VIR_CONNECT_LIST_NODE_DEVICES_CAP_NET);
  if (n < 0) throw Error(uri + ": cannot list node devices: " + last_libvirt_error());
  std::vector<NicFacts> out;
  for (const auto& dev : take_list(list, n)) {
    const std::string name = virNodeDeviceGetName(dev.get());
    if (const char* parent = virNodeDeviceGetParent(dev.get()); parent && std::string_view(parent) == "computer")
      continue;
    const std::string xml = take_string(virNodeDeviceGetXMLDesc(dev.get(), 0));
    if (xml.empty()) {
      if (last_libvirt_code() == VIR_ERR_NO_NODE_DEVICE) continue;
      throw Error(uri + ": node device " + name + ": cannot read XML: " + last_libvirt_error());
    }
    if (auto nic = parse_net_device_xml(xml, uri + " node device " + name)) out.push_back(std::move(*nic));
  }
  return out;
}

std::vector<PoolFacts> pools(virConnectPtr conn, const std::string& uri) {
  virStoragePoolPtr* list = nullptr;
  const int n = virConnectListAllStoragePools(conn, &list, 0);
  if (n < 0) throw Error(uri + ": cannot list storage pools: " + last_libvirt_error());
  std::vector<PoolFacts> out;
  for (const auto& pool : take_list(list, n)) {
    const std::string name = virStoragePoolGetName(pool.get());
    const std::string origin = uri + " pool " + name;
    const std::string xml = take_string(virStoragePoolGetXMLDesc(pool.get(), 0));
    if (xml.empty()) throw Error(origin + ": cannot read XML: " + last_libvirt_error());
    PoolFacts f = parse_pool_xml(xml, origin);
    f.active = virStoragePoolIsActive(pool.get()) == 1;
    if (!f.active) {
      f.capacity_bytes = Fact<uint64_t>::unknown("pool is inactive");
      f.available_bytes = Fact<uint64_t>::unknown("pool is inactive");
      out.push_back(std::move(f));
      continue;
    }
    virStorageVolPtr* vols = nullptr;
    const int nv = virStoragePoolListAllVolumes(pool.get(), &vols, 0);
    if (nv < 0) throw Error(origin + ": cannot list volumes: " + last_libvirt_error());
    for (const auto& vol : take_list(vols, nv)) {
      const std::string vname = virStorageVolGetName(vol.get());
      const std::string vxml = take_string(virStorageVolGetXMLDesc(vol.get(), 0));
      if (vxml.empty()) throw Error(origin + " volume " + vname + ": cannot read XML: " + last_libvirt_error());
      f.volumes.push_back(parse_volume_xml(vxml, origin + " volume " + vname));
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<VmFacts> domains(virConnectPtr conn, const std::string& uri) {
  virDomainPtr* list = nullptr;
  const int n = virConnectListAllDomains(conn, &list, 0);
  if (n < 0) throw Error(uri + ": cannot list domains: " + last_libvirt_error());
  std::vector<VmFacts> out;
  for (const auto& dom : take_list(list, n)) {
    const std::string name = virDomainGetName(dom.get());
    const std::string origin = uri + " domain " + name;
    // A domain that left between the listing and these reads (a migration
    // finished, a transient guest stopped) is not on this host any more: skip it.
    const std::string xml = take_string(virDomainGetXMLDesc(dom.get(), 0));
    if (xml.empty()) {
      if (domain_vanished()) continue;
      throw Error(origin + ": cannot read XML: " + last_libvirt_error());
    }
    VmFacts vm = parse_domain_xml(xml, origin);
    int state = 0, reason = 0;
    if (virDomainGetState(dom.get(), &state, &reason, 0) < 0) {
      if (domain_vanished()) continue;
      throw Error(origin + ": cannot read state: " + last_libvirt_error());
    }
    vm.state = std::string(vm_state_name(state));
    out.push_back(std::move(vm));
  }
  return out;
}

// Disk sizes from the pool volumes the disks use (by path, or pool/volume).
void fill_disk_sizes(HostFacts& h) {
  if (!h.vms.known() || !h.pools.known()) return;
  std::map<std::string, const VolumeFacts*> by_path, by_name;
  for (const auto& p : h.pools.value()) {
    for (const auto& v : p.volumes) {
      if (!v.path.empty()) by_path[v.path] = &v;
      by_name[p.name + "/" + v.name] = &v;
    }
  }
  for (auto& vm : h.vms.value()) {
    for (auto& d : vm.disks) {
      const auto& index = d.type == "volume" ? by_name : by_path;
      const auto it = index.find(d.source);
      if (d.source.empty() || it == index.end()) continue;
      d.capacity_bytes = it->second->capacity_bytes;
      d.allocation_bytes = it->second->allocation_bytes;
    }
  }
}

void fill_memory(virConnectPtr conn, const std::string& driver, uint64_t total_kib, HostFacts& h) {
  h.memory.total_kib = total_kib;
  virResetLastError();
  const unsigned long long free_bytes = virNodeGetFreeMemory(conn);
  if (free_bytes > 0 || last_libvirt_code() == VIR_ERR_OK) {
    h.memory.free_kib = static_cast<uint64_t>(free_bytes / 1024);
    return;
  }
  const std::string why = last_libvirt_error();
  if (!h.vms.known()) {
    h.memory.free_kib = Fact<uint64_t>::unknown("free memory not reported (" + why +
                                                ") and the domains are unknown: " + h.vms.reason());
    return;
  }
  uint64_t used = 0;
  int active = 0;
  for (const auto& vm : h.vms.value()) {
    if (!vm_is_active(vm)) continue;
    used += vm.current_memory_kib;
    ++active;
  }
  h.memory.free_kib = used > total_kib ? 0 : total_kib - used;
  h.memory.free_note = "derived: node memory minus the current memory of the " + std::to_string(active) +
                       " active domain(s); the " + driver + " driver reports no free memory";
}

void fill_hugepages(virConnectPtr conn, const std::string& caps, const std::string& uri, HostFacts& h) {
  std::vector<HugepagePool> pools = capabilities_hugepages(caps, uri + " capabilities");
  if (pools.empty()) {
    h.memory.hugepages = Fact<std::vector<HugepagePool>>::unknown("libvirt capabilities give no huge page counts");
    return;
  }
  std::vector<unsigned int> sizes;
  for (const auto& p : pools) sizes.push_back(static_cast<unsigned int>(p.size_kib));
  std::vector<unsigned long long> counts(sizes.size());
  if (virNodeGetFreePages(conn, sizes.size(), sizes.data(), -1, 1, counts.data(), 0) < 0) {
    h.memory.hugepages =
        Fact<std::vector<HugepagePool>>::unknown("free huge pages not reported: " + last_libvirt_error());
    return;
  }
  for (std::size_t i = 0; i < pools.size(); ++i) pools[i].free = counts[i];
  h.memory.hugepages = pools;
}

void mark_not_reported(HostFacts& h) {
  const std::string why = "not reported by libvirt (collect locally on the host)";
  auto& c = h.cpu;
  c.vendor = Fact<std::string>::unknown(why);
  c.family = Fact<uint32_t>::unknown(why);
  c.model = Fact<uint32_t>::unknown(why);
  c.stepping = Fact<uint32_t>::unknown(why);
  c.codename = Fact<std::string>::unknown(why);
  c.brand = Fact<std::string>::unknown(why);
  c.microcode = Fact<std::string>::unknown(why);
  c.cpuid = Fact<std::vector<CpuidLeaf>>::unknown(why);
  c.cpuid_cpus_read = Fact<uint32_t>::unknown(why);
  c.msrs = Fact<std::vector<MsrValue>>::unknown(why);
  c.features = Fact<std::vector<std::string>>::unknown(why);
  c.kernel_flags = Fact<std::vector<std::string>>::unknown(why);
  auto& f = h.firmware;
  f.virtualization = Fact<bool>::unknown(why);
  f.nx = Fact<bool>::unknown(why);
  f.aes = Fact<bool>::unknown(why);
  f.x2apic = Fact<bool>::unknown(why);
  f.sgx = Fact<bool>::unknown(why);
  f.smt = Fact<bool>::unknown(why);
  f.tsx = Fact<std::string>::unknown(why);
  f.iommu = Fact<bool>::unknown(why);
  f.vulnerabilities = Fact<std::map<std::string, std::string>>::unknown(why);
  h.mounts = Fact<std::vector<MountFacts>>::unknown(why);
  h.migration_address = Fact<std::string>::unknown("not reported by libvirt; give it in the inventory");
}

// Identification the capabilities host CPU carries exactly (signature, microcode).
void cpu_identity_from_libvirt(HostFacts& h) {
  const CpuDefinition* cpu = h.cpu.libvirt_cpu.get();
  if (!cpu) return;
  // libvirt names the vendor (cpu_map's name, in libvirt_cpu); its CPUID string is
  // the catalog's to give (name_cpu_features), not a table here.
  if (!cpu->vendor.empty())
    h.cpu.vendor = Fact<std::string>::unknown("libvirt names the vendor '" + cpu->vendor + "', not its CPUID string");
  if (cpu->signature) {
    h.cpu.family = cpu->signature->family;
    h.cpu.model = cpu->signature->model;
    if (cpu->signature->stepping) h.cpu.stepping = *cpu->signature->stepping;
  }
  // libvirt prints the microcode revision in decimal; the kernel (and CpuFacts) in hex.
  const std::string& mc = cpu->microcode;
  if (const auto v = parse_unsigned(mc)) {
    h.cpu.microcode = fmt::format("{:#x}", *v);
  } else if (!mc.empty()) {
    h.cpu.microcode = mc;
  }
}

const char* const kReadWriteHint =
    "libvirt gives domain capabilities only on a read-write connection: grant this user read-write access "
    "(the libvirt group, a polkit rule, the read-write socket), or collect as a user who has it";

// Domain capabilities of one domain type, on the read-write connection `rw`.
// `denied` is set when libvirt refused the call for lack of access.
GuestOffer read_offer(virConnectPtr rw, const std::string& type, const std::string& uri, bool& denied) {
  const std::string xml = take_string(virConnectGetDomainCapabilities(rw, nullptr, "x86_64", nullptr, type.c_str(), 0));
  if (xml.empty()) {
    const int code = last_libvirt_code();
    if (code == VIR_ERR_OPERATION_DENIED || code == VIR_ERR_AUTH_FAILED) denied = true;
    GuestOffer o;
    o.virt_type = type;
    o.host_model =
        Fact<CpuDefinition>::unknown("no domain capabilities for " + type + " guests: " + last_libvirt_error());
    return o;
  }
  return parse_guest_offer(xml, uri + " domcapabilities --virttype " + type);
}

// What the hypervisor offers each domain type the capabilities list. libvirt 9.0
// refuses domain capabilities on a read-only connection: this is the one place a
// read-write connection is opened, for calls that change nothing on the host.
Fact<std::vector<GuestOffer>> offers(const std::string& uri, const std::string& caps, const std::string& driver) {
  using Offers = Fact<std::vector<GuestOffer>>;
  if (driver == "TEST") return Offers::unknown("the libvirt test driver has no domain capabilities");
  const std::vector<std::string> types = capabilities_domain_types(caps, uri + " capabilities");
  if (types.empty()) return Offers::unknown("capabilities list no x86_64 hvm domain type");
  ConnectionHandle rw;
  try {
    rw = open_read_write(uri, "domain capabilities");
  } catch (const Error&) {
    return Offers::unknown("read-write connection refused (" + last_libvirt_error() + "); " + kReadWriteHint);
  }
  std::vector<GuestOffer> out;
  bool denied = false;
  for (const auto& type : types) out.push_back(read_offer(rw.get(), type, uri, denied));
  if (denied) return Offers::unknown("read-write access refused (" + out.front().host_model.reason() + "); " + kReadWriteHint);
  if (std::none_of(out.begin(), out.end(), [](const GuestOffer& o) { return o.host_model.known() || o.host_passthrough; }))
    return Offers::unknown("the " + driver + " driver gives no domain capabilities (" + out.front().host_model.reason() +
                           ")");
  return out;
}

// cpu.host_model and hypervisor.firmware as the offers give them: the kvm offer's
// host-model (else qemu's), the loaders of every offer.
void fill_from_offers(HostFacts& h) {
  if (!h.offers.known()) {
    h.cpu.host_model = Fact<CpuDefinition>::unknown(h.offers.reason());
    h.hypervisor.firmware = Fact<std::vector<std::string>>::unknown(h.offers.reason());
    return;
  }
  const auto& all = h.offers.value();
  const GuestOffer* main = find_offer(all, "kvm");
  if (!main) main = find_offer(all, "qemu");
  h.cpu.host_model = main ? main->host_model : Fact<CpuDefinition>::unknown("no kvm or qemu domain type offered");
  std::vector<std::string> loaders;
  for (const auto& o : all) {
    for (const auto& l : o.loaders)
      if (std::find(loaders.begin(), loaders.end(), l) == loaders.end()) loaders.push_back(l);
    auto add = [](Fact<std::vector<std::string>>& list, const std::string& item) {
      if (item.empty() || !list.known()) return;
      auto& v = list.value();
      if (std::find(v.begin(), v.end(), item) == v.end()) v.push_back(item);
    };
    add(h.hypervisor.machine_types, o.machine);
    add(h.hypervisor.emulators, o.emulator);
  }
  h.hypervisor.firmware = loaders;
}

}  // namespace

HostFacts collect_libvirt(const std::string& uri) {
  const std::string hint =
      "check the URI, that libvirtd runs and is reachable, and for test:///PATH that the file exists and is a "
      "valid test-driver host";
  // libxml2 would print its own warning for a missing test-driver file, and block
  // on a FIFO: checked first, without opening anything but a regular file.
  try {
    check_test_driver_file(uri);
  } catch (const Error& e) {
    throw Error(uri + ": cannot connect: " + e.what());
  }
  ConnectionHandle conn;
  try {
    conn = open_read_only(uri);
  } catch (const Error&) {  // the same failure, with the hint that names test-driver files
    throw Error(uri + ": cannot connect: " + last_libvirt_error(), hint);
  }
  virConnectPtr c = conn.get();
  HostFacts h;
  h.name = uri;
  h.source = uri;
  mark_not_reported(h);

  const char* type = virConnectGetType(c);
  const std::string driver = type ? type : "";
  h.hypervisor.driver = driver.empty() ? Fact<std::string>::unknown(last_libvirt_error()) : Fact(driver);
  unsigned long ver = 0;
  if (virConnectGetLibVersion(c, &ver) == 0) h.hypervisor.libvirt_version = version_string(ver);
  else h.hypervisor.libvirt_version = Fact<std::string>::unknown(last_libvirt_error());
  if (virConnectGetVersion(c, &ver) == 0) h.hypervisor.hypervisor_version = version_string(ver);
  else h.hypervisor.hypervisor_version = Fact<std::string>::unknown(last_libvirt_error());

  const std::string hostname = take_string(virConnectGetHostname(c));
  h.hostname = hostname.empty() ? Fact<std::string>::unknown(last_libvirt_error()) : Fact(hostname);

  const std::string caps = take_string(virConnectGetCapabilities(c));
  if (caps.empty())
    throw Error(uri + ": cannot read capabilities: " + last_libvirt_error(), "check the libvirt connection");
  parse_capabilities_xml(caps, uri + " capabilities", h);

  h.offers = offers(uri, caps, driver);
  fill_from_offers(h);

  virNodeInfo info{};
  if (virNodeGetInfo(c, &info) < 0)
    throw Error(uri + ": cannot read node info: " + last_libvirt_error(), "check the libvirt connection");
  h.topology.cpus = info.cpus;
  h.topology.mhz = info.mhz;
  h.topology.numa_nodes = info.nodes;
  h.topology.sockets = info.nodes * info.sockets;
  h.topology.cores_per_socket = info.cores;
  h.topology.threads_per_core = info.threads;
  if (!h.topology.online.known()) h.topology.online = Fact<std::string>::unknown("not reported by libvirt");

  if (driver == "TEST") {
    // The test driver's capabilities are fixed (an i686 host CPU without a model,
    // no IOMMU, invented page sizes); the host file's node info names the arch.
    const std::string why = "the libvirt test driver reports fixed capabilities, not this host's";
    h.arch = std::string(info.model);
    h.cpu.libvirt_cpu = Fact<CpuDefinition>::unknown(why);
    h.firmware.iommu = Fact<bool>::unknown(why);
    h.memory.hugepages = Fact<std::vector<HugepagePool>>::unknown(why);
  } else {
    fill_hugepages(c, caps, uri, h);
  }
  cpu_identity_from_libvirt(h);

  collect_into<std::vector<NetworkFacts>>(h.networks, [&] { return networks(c, uri); });
  collect_into<std::vector<BridgeFacts>>(h.bridges, [&] { return bridges(c, uri); });
  collect_into<std::vector<NicFacts>>(h.nics, [&] { return nics(c, uri); });
  collect_into<std::vector<PoolFacts>>(h.pools, [&] { return pools(c, uri); });
  collect_into<std::vector<VmFacts>>(h.vms, [&] { return domains(c, uri); });
  fill_disk_sizes(h);
  fill_memory(c, driver, info.memory, h);
  return h;
}

}  // namespace preflight
