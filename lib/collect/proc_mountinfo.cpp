#include "collect/proc_mountinfo.hpp"

#include <algorithm>
#include <iterator>

#include "collect/proc_cpuinfo.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

namespace preflight {
namespace {

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

template <size_t N>
bool in(std::string_view v, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

constexpr std::string_view kShared[] = {
    "nfs",   "nfs4",     "cifs",       "smb3",   "smbfs",      "ceph",          "fuse.ceph",   "fuse.cephfs",
    "fuse.ceph-fuse",    "glusterfs",  "fuse.glusterfs",       "gfs2",          "ocfs2",       "lustre",
    "gpfs",  "beegfs",   "afs",        "fuse.mfs", "fuse.lizardfs", "fuse.beegfs", "coda",         "orangefs"};

constexpr std::string_view kLocal[] = {
    "ext2",  "ext3",     "ext4",    "xfs",     "btrfs",    "zfs",     "tmpfs",    "devtmpfs", "ramfs",    "vfat",
    "msdos", "exfat",    "ntfs",    "ntfs3",   "iso9660",  "udf",     "squashfs", "erofs",    "overlay",  "f2fs",
    "jfs",   "reiserfs", "nilfs2",  "9p",      "virtiofs", "fuse.sshfs", "hugetlbfs", "bcachefs"};

constexpr std::string_view kPseudo[] = {
    "proc",      "sysfs",      "cgroup",   "cgroup2",   "devpts",      "mqueue",    "securityfs", "debugfs",
    "tracefs",   "pstore",     "bpf",      "configfs",  "fusectl",     "binfmt_misc", "autofs",   "efivarfs",
    "rpc_pipefs", "nsfs",      "selinuxfs", "nfsd",     "fuse.gvfsd-fuse", "fuse.portal", "rootfs"};

}  // namespace

std::vector<MountinfoEntry> parse_mountinfo(std::string_view text, const std::string& origin) {
  std::vector<MountinfoEntry> out;
  const std::vector<std::string> lines = split(text, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::vector<std::string> f = split_words(lines[n]);
    if (f.empty()) continue;
    const auto sep = std::find(f.begin(), f.end(), "-");
    const auto before = sep - f.begin();
    if (sep == f.end() || before < 6 || f.end() - sep < 3)
      throw Error(origin + ":" + std::to_string(n + 1) +
                  ": expected 'ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE OPTIONS', got '" +
                  trim(lines[n]) + "'");
    out.push_back(MountinfoEntry{unescape(f[4]), unescape(*(sep + 1)), unescape(*(sep + 2))});
  }
  return out;
}

bool is_pseudo_fs(std::string_view fstype) { return in(fstype, kPseudo); }

FsSharing classify_fstype(std::string_view fstype, std::string_view source) {
  if (in(fstype, kShared)) return FsSharing::shared;
  if (in(fstype, kLocal) || is_pseudo_fs(fstype)) return FsSharing::local;
  if (fstype == "fuse" || fstype == "fuseblk") {
    if (source == "glusterfs" || source.starts_with("ceph-fuse") || source == "ceph") return FsSharing::shared;
    if (source.starts_with("sshfs")) return FsSharing::local;
  }
  return FsSharing::unknown;
}

std::optional<bool> fs_magic_is_shared(uint64_t magic) {
  switch (magic) {
    case 0x6969:      // NFS_SUPER_MAGIC
    case 0x517B:      // SMB_SUPER_MAGIC
    case 0xFF534D42:  // CIFS_SUPER_MAGIC
    case 0xFE534D42:  // SMB2_SUPER_MAGIC
    case 0x00C36400:  // CEPH_SUPER_MAGIC
    case 0x01161970:  // GFS2_MAGIC
    case 0x7461636F:  // OCFS2_SUPER_MAGIC
    case 0x0BD00BD0:  // LL_SUPER_MAGIC (Lustre)
    case 0x47504653:  // GPFS_SUPER_MAGIC
    case 0x5346414F:  // AFS_SUPER_MAGIC
    case 0x6B414653:  // AFS_FS_MAGIC
    case 0x73757245:  // CODA_SUPER_MAGIC
      return true;
    case 0x65735546:  // FUSE_SUPER_MAGIC
      return false;
    default:
      return std::nullopt;
  }
}

}  // namespace preflight
