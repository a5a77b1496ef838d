// Findings carry typed subjects (rules/subject.hpp), set by the checks from the
// facts: each fired rule names the network, bridge, disk, pool, device or host it
// is about; pass, skip and error name none; a waiver keeps them.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;
using preflight::test::kGiB;
using preflight::test::local_disk;

namespace {

using K = Subject::Kind;

// "network prod, disk vda": readable in a failed assertion.
std::string text(const std::vector<Subject>& subjects) {
  std::string out;
  for (const auto& s : subjects) out += (out.empty() ? "" : ", ") + std::string(to_string(s.kind)) + " " + s.name;
  return out;
}

std::string subjects_of(const Scenario& s, const std::string& rule) { return text(s.finding(rule).subjects); }


}  // namespace

BOOST_AUTO_TEST_CASE(a_clean_move_names_no_subject) {
  for (const auto& f : Scenario().evaluate().results)
    BOOST_TEST(f.subjects.empty(), f.rule << " (" << to_string(f.status) << "): " << text(f.subjects));
}

BOOST_AUTO_TEST_CASE(network_rules_name_the_vms_network_or_bridge) {
  Scenario renamed;
  renamed.destination.networks.value()[1].name = "Prod";
  BOOST_TEST(subjects_of(renamed, "network.present") == "network prod");
  Scenario portgroup;
  portgroup.vm.interfaces[0].portgroup = "dmz";
  BOOST_TEST(subjects_of(portgroup, "network.present") == "network prod");
  Scenario bridge;
  bridge.vm.interfaces[0] = InterfaceFacts{"bridge", "", "", "br9", "", "52:54:00:00:00:02", "virtio"};
  BOOST_TEST(subjects_of(bridge, "network.present") == "bridge br9");

  Scenario isolated;
  isolated.destination.networks.value()[1].forward_mode = "";
  BOOST_TEST(subjects_of(isolated, "network.uplink") == "network prod");
  // prod forwards onto br0; without a NIC on br0 both are cut off.
  Scenario no_nic;
  no_nic.destination.bridges.value()[0].members = {{"vnet0", Fact<bool>(false)}};
  BOOST_TEST(subjects_of(no_nic, "network.uplink") == "network prod, bridge br0");

  Scenario segment;
  segment.vm.interfaces[0] = InterfaceFacts{"bridge", "", "", "br0", "", "52:54:00:00:00:02", "virtio"};
  segment.destination.bridges.value()[0].subnets = {"10.0.7.12/24"};
  BOOST_TEST(subjects_of(segment, "network.same-segment") == "bridge br0");

  Scenario link;
  link.destination.migration_address = std::string("10.0.1.12");
  link.link = LinkProbeResult{"10.0.1.12:22", false, 0, "Connection refused"};
  BOOST_TEST(subjects_of(link, "network.migration-link") == "host hostB");
}

BOOST_AUTO_TEST_CASE(storage_rules_name_the_disks_and_the_short_pool) {
  Scenario copy = local_disk();
  copy.vm.disks[0].cache = "writeback";
  BOOST_TEST(subjects_of(copy, "storage.shared") == "disk vda");
  BOOST_TEST(to_string(copy.finding("storage.cache-mode").status) == "warn");
  BOOST_TEST(subjects_of(copy, "storage.cache-mode") == "disk vda");
  copy.destination.pools.value()[1].available_bytes = 10 * kGiB;
  BOOST_TEST(subjects_of(copy, "storage.space") == "disk vda, pool local");

  Scenario shareable;
  shareable.vm.disks[0].shareable = true;
  BOOST_TEST(subjects_of(shareable, "storage.shareable") == "disk vda");

  Scenario media;
  DiskFacts cd;
  cd.type = "block", cd.device = "cdrom", cd.target = "hdc", cd.source = "/dev/sr0";
  media.vm.disks.push_back(cd);
  BOOST_TEST(subjects_of(media, "storage.host-media") == "disk hdc");
  cd.type = "file", cd.source = "/var/lib/libvirt/images/iso/install.iso", cd.readonly = true;
  media.vm.disks.back() = cd;
  BOOST_TEST(subjects_of(media, "storage.media-visible") == "disk hdc");
}

BOOST_AUTO_TEST_CASE(host_level_rules_name_the_destination) {
  Scenario memory;
  memory.destination.memory.free_kib = uint64_t{1024};
  BOOST_TEST(subjects_of(memory, "resources.memory") == "memory hostB");
  Scenario vcpus;
  vcpus.vm.vcpus = 64;
  BOOST_TEST(subjects_of(vcpus, "resources.cpu") == "cpu hostB");
}

BOOST_AUTO_TEST_CASE(an_error_names_none_and_a_waiver_keeps_them) {
  Scenario unknown = local_disk();
  unknown.destination.pools = Fact<std::vector<PoolFacts>>::unknown("connection lost");
  const Finding error = unknown.finding("storage.shared");
  BOOST_TEST(to_string(error.status) == "error");
  BOOST_TEST(error.subjects.empty(), text(error.subjects));

  Scenario waived;
  waived.destination.networks.value()[1].forward_mode = "";
  Waiver w;
  w.rule = "network.uplink";
  w.reason = "intranet-only VM";
  waived.policy.waivers.push_back(w);
  const Finding f = waived.finding("network.uplink");
  BOOST_TEST(to_string(f.status) == "waived");
  BOOST_TEST(text(f.subjects) == "network prod");
}
