// Parsers of /proc text: cpuinfo, meminfo, mountinfo, and filesystem sharing.
#include <boost/test/unit_test.hpp>

#include "collect/proc_cpuinfo.hpp"
#include "collect/proc_meminfo.hpp"
#include "collect/proc_mountinfo.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

using namespace preflight;

namespace {
const std::string kRoot = std::string(PREFLIGHT_FIXTURES) + "/localroot";
}

BOOST_AUTO_TEST_CASE(cpuinfo_blocks_per_processor) {
  const auto blocks = parse_cpuinfo(read_file(kRoot + "/proc/cpuinfo"));
  BOOST_TEST_REQUIRE(blocks.size() == 4u);
  BOOST_TEST(blocks[0].at("microcode") == "0x500320a");
  BOOST_TEST(blocks[0].at("cpu MHz") == "1000.000");
  BOOST_TEST(blocks[3].at("processor") == "3");
  BOOST_TEST(blocks[0].at("power management") == "");
  const auto flags = split_words(blocks[0].at("flags"));
  BOOST_TEST(flags.front() == "fpu");
  BOOST_TEST(std::count(flags.begin(), flags.end(), "aes") == 1);
  BOOST_TEST(std::count(flags.begin(), flags.end(), "vmx") == 0);
  BOOST_TEST(split_words("  a \tb  ") == (std::vector<std::string>{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(meminfo_values) {
  const auto m = parse_meminfo(read_file(kRoot + "/proc/meminfo"), "meminfo");
  BOOST_TEST(m.at("MemTotal") == 196608000u);
  BOOST_TEST(m.at("MemAvailable") == 170123456u);
  BOOST_TEST(m.at("HugePages_Total") == 1024u);
  BOOST_CHECK_EXCEPTION(parse_meminfo("MemTotal: 10 kB\nMemFree: lots\n", "/proc/meminfo"), Error,
                        [](const Error& e) {
                          return std::string(e.what()) ==
                                 "/proc/meminfo:2: expected 'Name: number [kB]', got 'MemFree: lots'";
                        });
}

BOOST_AUTO_TEST_CASE(mountinfo_entries) {
  const auto m = parse_mountinfo(read_file(kRoot + "/proc/self/mountinfo"), "mountinfo");
  BOOST_TEST_REQUIRE(m.size() == 13u);
  BOOST_TEST(m[6].mountpoint == "/var/lib/libvirt/images");
  BOOST_TEST(m[6].fstype == "nfs4");
  BOOST_TEST(m[6].source == "filer1.lab:/export/vmstore");
  BOOST_TEST(m[9].mountpoint == "/srv/vm images");
  BOOST_TEST(m[7].fstype == "fuse.glusterfs");
  BOOST_CHECK_EXCEPTION(parse_mountinfo("22 1 0:21 / /proc rw - proc\n", "/proc/self/mountinfo"), Error,
                        [](const Error& e) {
                          return std::string(e.what()) ==
                                 "/proc/self/mountinfo:1: expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - "
                                 "FSTYPE SOURCE OPTIONS', got '22 1 0:21 / /proc rw - proc'";
                        });
}

BOOST_AUTO_TEST_CASE(filesystem_sharing) {
  for (const char* fs : {"nfs", "nfs4", "cifs", "smb3", "ceph", "glusterfs", "fuse.glusterfs", "fuse.cephfs", "gfs2",
                         "ocfs2", "lustre", "gpfs"})
    BOOST_TEST((classify_fstype(fs, "") == FsSharing::shared), fs);
  for (const char* fs : {"ext4", "xfs", "btrfs", "tmpfs", "9p", "virtiofs", "fuse.sshfs", "overlay"})
    BOOST_TEST((classify_fstype(fs, "") == FsSharing::local), fs);
  BOOST_TEST((classify_fstype("fuse", "glusterfs") == FsSharing::shared));
  BOOST_TEST((classify_fstype("fuse", "something") == FsSharing::unknown));
  BOOST_TEST((classify_fstype("fancyfs", "x") == FsSharing::unknown));
  BOOST_TEST(is_pseudo_fs("cgroup2"));
  BOOST_TEST(!is_pseudo_fs("ext4"));
  BOOST_TEST(*fs_magic_is_shared(0x6969) == true);
  BOOST_TEST(*fs_magic_is_shared(0xFF534D42) == true);
  BOOST_TEST(*fs_magic_is_shared(0x65735546) == false);
  BOOST_TEST(!fs_magic_is_shared(0xEF53).has_value());
}
