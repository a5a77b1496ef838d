#include "collect/domain_xml.hpp"

#include <cstdio>

#include "collect/libvirt_xml.hpp"
#include "core/error.hpp"
#include "core/number.hpp"
#include "facts/cpu_xml.hpp"
#include "rules/cpuset.hpp"

namespace preflight {

namespace {

using xml::attr;
using xml::text;

uint32_t to_uint32(const std::string& s, const char* what, const std::string& origin) {
  if (const auto v = parse_unsigned(s, 0xffffffffULL)) return static_cast<uint32_t>(*v);
  throw Error(origin + ": <" + what + "> is not a non-negative integer up to 4294967295: '" + quote_input(s) + "'",
              "fix the domain XML");
}

// "0x0003" -> 3; -1 when not a number (a PCI domain, bus, slot or function: 32 bits at most).
long hex_or_dec(const std::string& s) {
  const auto v = parse_unsigned(s, 0xffffffffULL, Radix::decimal_or_hex);
  return v ? static_cast<long>(*v) : -1;
}

// A cpuset of the domain, checked here so that a bad one is refused naming the file.
std::string cpuset_of(const std::string& cpuset, const std::string& what, const std::string& origin) {
  try {
    parse_cpuset(cpuset);
  } catch (const Error& e) {
    throw Error(origin + ": " + what + ": " + e.what(), "fix the domain XML");
  }
  return cpuset;
}

std::string pci_address(const pugi::xml_node& a) {
  const long dom = hex_or_dec(attr(a, "domain"));
  const long bus = hex_or_dec(attr(a, "bus")), slot = hex_or_dec(attr(a, "slot")), fn = hex_or_dec(attr(a, "function"));
  if (bus < 0 || slot < 0 || fn < 0) return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lx:%02lx:%02lx.%lx", dom < 0 ? 0 : dom, bus, slot, fn);
  return buf;
}

std::string strip_0x(std::string s) { return s.rfind("0x", 0) == 0 ? s.substr(2) : s; }

std::string host_port(const pugi::xml_node& n, const char* port_attr) {
  std::string h = attr(n, "name");
  if (h.empty()) h = attr(n, "host");
  const std::string port = attr(n, port_attr);
  return port.empty() ? h : h + ":" + port;
}

DiskFacts parse_disk(const pugi::xml_node& d) {
  DiskFacts disk;
  disk.type = attr(d, "type");
  if (disk.type.empty()) disk.type = "file";
  disk.device = attr(d, "device");
  if (disk.device.empty()) disk.device = "disk";
  disk.target = attr(d.child("target"), "dev");
  const auto src = d.child("source");
  if (disk.type == "file") {
    disk.source = attr(src, "file");
  } else if (disk.type == "block") {
    disk.source = attr(src, "dev");
  } else if (disk.type == "dir") {
    disk.source = attr(src, "dir");
  } else if (disk.type == "network") {
    disk.protocol = attr(src, "protocol");
    for (auto h : src.children("host")) disk.hosts.push_back(host_port(h, "port"));
    if (src) {
      disk.source = disk.protocol + "://" + (disk.hosts.empty() ? std::string() : disk.hosts.front()) + "/" +
                    attr(src, "name");
    }
  } else if (disk.type == "volume") {
    disk.pool = attr(src, "pool");
    disk.volume = attr(src, "volume");
    if (src) disk.source = disk.pool + "/" + disk.volume;
  }
  const auto drv = d.child("driver");
  disk.format = attr(drv, "type");
  disk.cache = attr(drv, "cache");
  disk.shareable = static_cast<bool>(d.child("shareable"));
  disk.readonly = static_cast<bool>(d.child("readonly"));
  disk.capacity_bytes = Fact<uint64_t>::unknown("not in domain XML");
  disk.allocation_bytes = Fact<uint64_t>::unknown("not in domain XML");
  return disk;
}

InterfaceFacts parse_interface(const pugi::xml_node& i) {
  InterfaceFacts nic;
  nic.type = attr(i, "type");
  const auto src = i.child("source");
  if (nic.type == "network") {
    nic.network = attr(src, "network");
    nic.portgroup = attr(src, "portgroup");
  } else if (nic.type == "bridge") {
    nic.bridge = attr(src, "bridge");
  } else if (nic.type == "direct") {
    nic.device = attr(src, "dev");
  }
  nic.mac = attr(i.child("mac"), "address");
  nic.model = attr(i.child("model"), "type");
  return nic;
}

CharDeviceFacts parse_chardev(const pugi::xml_node& c) {
  CharDeviceFacts dev;
  dev.kind = c.name();
  dev.type = attr(c, "type");
  if (dev.type.empty()) dev.type = "pty";
  const auto src = c.child("source");
  const std::string path = attr(src, "path");
  if (!path.empty()) {
    dev.source = path;
  } else if (src.attribute("host") || src.attribute("service")) {
    dev.source = attr(src, "host") + ":" + attr(src, "service");
  } else if (src.attribute("channel")) {
    dev.source = attr(src, "channel");  // spiceport
  }
  return dev;
}

HostdevFacts parse_hostdev(const pugi::xml_node& h) {
  HostdevFacts dev;
  dev.type = attr(h, "type");
  dev.mode = attr(h, "mode");
  if (dev.mode.empty()) dev.mode = "subsystem";
  const auto src = h.child("source");
  if (dev.type == "pci") {
    dev.address = pci_address(src.child("address"));
  } else if (dev.type == "usb") {
    const std::string vendor = attr(src.child("vendor"), "id"), product = attr(src.child("product"), "id");
    if (!vendor.empty()) {
      dev.address = "usb " + strip_0x(vendor) + ":" + strip_0x(product);
    } else if (auto a = src.child("address")) {
      dev.address = "usb bus " + attr(a, "bus") + " device " + attr(a, "device");
    }
  } else if (dev.type == "mdev") {
    dev.address = attr(src.child("address"), "uuid");
  } else if (dev.type == "scsi") {
    const auto a = src.child("address");
    dev.address = attr(src.child("adapter"), "name") + ":" + attr(a, "bus") + ":" + attr(a, "target") + ":" + attr(a, "unit");
  } else if (dev.type == "scsi_host") {
    dev.address = attr(src, "wwpn");
  } else if (dev.mode == "capabilities") {
    // <hostdev mode='capabilities' type='storage|misc|net'>: a host block/char device or NIC
    dev.address = text(src.child("block"));
    if (dev.address.empty()) dev.address = text(src.child("char"));
    if (dev.address.empty()) dev.address = text(src.child("interface"));
  }
  return dev;
}

}  // namespace

VmFacts parse_domain_xml(std::string_view xml_text, const std::string& origin) {
  const auto doc = xml::load(xml_text, origin);
  const auto dom = xml::root(doc, "domain", origin);
  VmFacts vm;
  vm.name = text(dom.child("name"));
  vm.uuid = text(dom.child("uuid"));
  vm.virt_type = attr(dom, "type");
  if (auto m = dom.child("memory")) vm.memory_kib = xml::scaled_bytes(m, 1024, origin) / 1024;
  if (auto m = dom.child("currentMemory")) {
    vm.current_memory_kib = xml::scaled_bytes(m, 1024, origin) / 1024;
  } else {
    vm.current_memory_kib = vm.memory_kib;  // libvirt's default
  }
  if (auto v = dom.child("vcpu")) {
    vm.vcpus = to_uint32(text(v), "vcpu", origin);
    vm.cputune.vcpu_cpuset = cpuset_of(attr(v, "cpuset"), "<vcpu cpuset>", origin);
  }
  if (auto hp = dom.child("memoryBacking").child("hugepages")) {
    vm.hugepages = true;
    if (auto page = hp.child("page")) {
      vm.hugepage_size_kib =
          xml::scaled_bytes(attr(page, "size"), attr(page, "unit"), 1024, "<hugepages><page size>", origin) / 1024;
    }
  }
  if (auto cpu = dom.child("cpu")) {
    vm.has_cpu = true;
    vm.cpu = parse_cpu_element(cpu, origin);
  }
  const auto os = dom.child("os");
  vm.arch = attr(os.child("type"), "arch");
  vm.machine_type = attr(os.child("type"), "machine");
  vm.loader = text(os.child("loader"));
  if (vm.loader.empty() && attr(os, "firmware") == "efi") vm.loader = "efi";
  vm.nvram = text(os.child("nvram"));
  if (vm.nvram.empty()) vm.nvram = attr(os.child("nvram").child("source"), "file");

  const auto devices = dom.child("devices");
  vm.emulator = text(devices.child("emulator"));
  if (auto tpm = devices.child("tpm")) {
    std::string model = attr(tpm, "model");
    if (model.empty()) model = "tpm-tis";
    vm.tpm = model + "/" + attr(tpm.child("backend"), "type");
  }
  for (auto child : devices.children()) {
    const std::string_view name = child.name();
    if (name == "disk") {
      vm.disks.push_back(parse_disk(child));
    } else if (name == "interface") {
      vm.interfaces.push_back(parse_interface(child));
    } else if (name == "serial" || name == "parallel" || name == "console" || name == "channel") {
      vm.chardevs.push_back(parse_chardev(child));
    } else if (name == "hostdev") {
      vm.hostdevs.push_back(parse_hostdev(child));
    }
  }
  for (auto pin : dom.child("cputune").children("vcpupin")) {
    vm.cputune.vcpupins.push_back(
        {to_uint32(attr(pin, "vcpu"), "vcpupin vcpu", origin), cpuset_of(attr(pin, "cpuset"), "<vcpupin cpuset>", origin)});
  }
  vm.cputune.emulatorpin = cpuset_of(attr(dom.child("cputune").child("emulatorpin"), "cpuset"), "<emulatorpin cpuset>", origin);
  return vm;
}

}  // namespace preflight
