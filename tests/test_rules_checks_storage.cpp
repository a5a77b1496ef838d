// Storage rules on facts built in C++: each fires on a broken fact and passes on
// the scenario's clean move.
#include <boost/test/unit_test.hpp>

#include "support/rules_scenario.hpp"

using namespace preflight;
using preflight::test::Scenario;
using preflight::test::kGiB;
using preflight::test::local_disk;

BOOST_AUTO_TEST_CASE(shared_passes_on_the_same_nfs_source) {
  const Finding f = Scenario().finding("storage.shared");
  BOOST_TEST(to_string(f.status) == "pass");
}

BOOST_AUTO_TEST_CASE(shared_warns_for_a_local_disk_with_room_to_copy) {
  const Finding f = local_disk().finding("storage.shared");
  BOOST_TEST(to_string(f.status) == "warn");
  BOOST_TEST(f.message.find("vda (/var/lib/libvirt/images/vm1.qcow2)") != std::string::npos);
  BOOST_TEST(f.evidence["disks"][0]["destination_pool"] == "local");
}

BOOST_AUTO_TEST_CASE(a_planned_mode_decides_what_a_local_disk_means) {
  Scenario s = local_disk();
  s.vm.disks[0].cache = "writeback";
  s.mode = "copy-storage";  // the move copies it: nothing to warn about
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "pass");
  BOOST_TEST(s.finding("storage.shared").message == "the move copies 1 disk(s) (--mode copy-storage)");
  BOOST_TEST(to_string(s.finding("storage.cache-mode").status) == "pass");
  s.mode = "offline";  // preflight copies it before moving the shut-off VM's definition
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "pass");
  BOOST_TEST(s.finding("storage.shared").message == "the move copies 1 disk(s) (--mode offline)");
  for (const char* mode : {"live", "quick"}) {
    s.mode = mode;  // these leave the disk behind
    const Finding f = s.finding("storage.shared");
    BOOST_TEST(to_string(f.status) == "block", mode);
    BOOST_TEST(f.message.find(std::string("a ") + mode + " move does not copy disks") != std::string::npos, f.message);
    BOOST_TEST(f.remediation.find("--mode copy-storage") != std::string::npos);
    BOOST_TEST(to_string(s.finding("storage.cache-mode").status) == "warn", mode);
  }
  s.mode = "copy-storage";
  s.policy.allow_storage_copy = false;  // the policy still rules
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "block");
  s.mode = "offline";
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "block");
  Scenario shared;
  shared.mode = "live";
  BOOST_TEST(to_string(shared.finding("storage.shared").status) == "pass");
}

BOOST_AUTO_TEST_CASE(shared_blocks_when_policy_forbids_copying) {
  Scenario s = local_disk();
  s.policy.allow_storage_copy = false;
  const Finding f = s.finding("storage.shared");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("the policy forbids copying storage") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(shared_blocks_when_nfs_source_differs) {
  Scenario s;
  auto& pools = s.destination.pools.value();
  pools[0].source.dir = "/export/other";
  pools[0].target_path = "/mnt/other";
  pools[0].volumes.clear();
  pools[1].target_path = "/srv/images";  // nowhere to copy to either
  const Finding f = s.finding("storage.shared");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.evidence.contains("disks_without_pool"));
}

BOOST_AUTO_TEST_CASE(shared_via_a_cluster_filesystem_mount) {
  Scenario s = local_disk();
  const MountFacts gfs{"/var/lib/libvirt/images", "gfs2", "/dev/mapper/cluster-lv", true};
  s.source.mounts = std::vector<MountFacts>{gfs};
  s.destination.mounts = std::vector<MountFacts>{gfs};
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "pass");
  s.destination.mounts = std::vector<MountFacts>{};
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "warn");
}

BOOST_AUTO_TEST_CASE(shared_errors_when_destination_pools_are_unknown) {
  Scenario s = local_disk();
  s.destination.pools = Fact<std::vector<PoolFacts>>::unknown("connection lost");
  const Finding f = s.finding("storage.shared");
  BOOST_TEST(to_string(f.status) == "error");
  BOOST_TEST(f.message == "hostB: fact pools is unknown (connection lost)");
}

BOOST_AUTO_TEST_CASE(space_blocks_when_the_copy_does_not_fit) {
  Scenario s = local_disk();
  BOOST_TEST(to_string(s.finding("storage.space").status) == "pass");
  s.destination.pools.value()[1].available_bytes = 10 * kGiB;
  const Finding f = s.finding("storage.space");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("local: needs 20.0 GiB, has 10.0 GiB") != std::string::npos);
  BOOST_TEST(to_string(s.finding("storage.shared").status) == "block");
}

BOOST_AUTO_TEST_CASE(space_errors_when_disk_size_is_unknown) {
  Scenario s = local_disk();
  s.vm.disks[0].capacity_bytes = Fact<uint64_t>::unknown("no volume");
  BOOST_TEST(to_string(s.finding("storage.space").status) == "error");
}

BOOST_AUTO_TEST_CASE(lun_visible_needs_the_same_iscsi_target) {
  Scenario s;
  PoolFacts iscsi;
  iscsi.name = "erp";
  iscsi.type = "iscsi";
  iscsi.source.hosts = {"10.0.0.5"};
  iscsi.source.devices = {"iqn.2020-01.example:erp"};
  iscsi.target_path = "/dev/disk/by-path";
  iscsi.volumes = {{"lun1", "/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-iqn.2020-01.example:erp-lun-1", "block", "raw", {}, {}}};
  s.source.pools.value().push_back(iscsi);
  DiskFacts lun;
  lun.type = "block";
  lun.device = "lun";
  lun.target = "sdb";
  lun.source = iscsi.volumes[0].path;
  lun.cache = "none";
  s.vm.disks.push_back(lun);
  BOOST_TEST(to_string(s.finding("storage.lun-visible").status) == "block");
  s.destination.pools.value().push_back(iscsi);
  BOOST_TEST(to_string(s.finding("storage.lun-visible").status) == "pass");
  BOOST_TEST(to_string(Scenario().finding("storage.lun-visible").status) == "skip");
}

BOOST_AUTO_TEST_CASE(shareable_disks_block) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("storage.shareable").status) == "pass");
  s.vm.disks[0].shareable = true;
  const Finding f = s.finding("storage.shareable");
  BOOST_TEST(to_string(f.status) == "block");
  BOOST_TEST(f.message.find("vda") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(host_media_blocks_and_iso_must_be_visible) {
  Scenario s;
  BOOST_TEST(to_string(s.finding("storage.host-media").status) == "skip");
  BOOST_TEST(s.finding("storage.host-media").message == "VM vm1 has no CD-ROM or floppy");
  DiskFacts cd;
  cd.type = "block";
  cd.device = "cdrom";
  cd.target = "hdc";
  cd.source = "/dev/sr0";
  s.vm.disks.push_back(cd);
  BOOST_TEST(to_string(s.finding("storage.host-media").status) == "block");
  s.vm.disks.back().source.clear();  // tray empty
  BOOST_TEST(to_string(s.finding("storage.host-media").status) == "pass");

  Scenario iso;
  DiskFacts img;
  img.type = "file";
  img.device = "cdrom";
  img.target = "hdc";
  img.source = "/var/lib/libvirt/images/iso/install.iso";
  img.readonly = true;
  iso.vm.disks.push_back(img);
  BOOST_TEST(to_string(iso.finding("storage.media-visible").status) == "block");
  iso.vm.disks.back().source = "/var/lib/libvirt/images/shared/install.iso";
  BOOST_TEST(to_string(iso.finding("storage.media-visible").status) == "pass");
}

BOOST_AUTO_TEST_CASE(cache_mode_warns_only_on_non_shared_storage) {
  Scenario s;
  s.vm.disks[0].cache = "writeback";
  BOOST_TEST(to_string(s.finding("storage.cache-mode").status) == "pass");  // shared NFS
  Scenario l = local_disk();
  l.vm.disks[0].cache = "writeback";
  const Finding f = l.finding("storage.cache-mode");
  BOOST_TEST(to_string(f.status) == "warn");
  BOOST_TEST(f.message.find("vda (cache=writeback)") != std::string::npos);
  l.vm.disks[0].cache = "none";
  BOOST_TEST(to_string(l.finding("storage.cache-mode").status) == "pass");
  // A passed-through LUN on a local device is written through its cache mode too.
  DiskFacts lun;
  lun.type = "block";
  lun.device = "lun";
  lun.target = "sdb";
  lun.source = "/dev/sdb";
  lun.cache = "unsafe";
  l.vm.disks.push_back(lun);
  const Finding g = l.finding("storage.cache-mode");
  BOOST_TEST(to_string(g.status) == "warn");
  BOOST_TEST(g.message.find("sdb (cache=unsafe)") != std::string::npos, g.message);
}

BOOST_AUTO_TEST_CASE(cache_mode_does_not_matter_for_an_offline_move) {
  Scenario l = local_disk();
  l.vm.disks[0].cache = "writeback";
  l.mode = "offline";
  const Finding f = l.finding("storage.cache-mode");
  BOOST_TEST(to_string(f.status) == "pass");
  BOOST_TEST(f.message == "the VM is shut off: an offline move has no cached guest writes, whatever the cache mode");
  BOOST_TEST(f.evidence["disks"][0] == "vda (cache=writeback)");
  l.mode = "live";
  BOOST_TEST(to_string(l.finding("storage.cache-mode").status) == "warn");
  l.mode = "quick";
  BOOST_TEST(to_string(l.finding("storage.cache-mode").status) == "warn");
}
