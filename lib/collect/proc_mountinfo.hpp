#pragma once
// /proc/self/mountinfo, and which filesystems are shared between hosts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace preflight {

struct MountinfoEntry {
  std::string mountpoint;  // octal escapes (\040) decoded
  std::string fstype;      // "type.subtype" for FUSE, as the kernel writes it
  std::string source;
};

// In file order. Throws Error "<origin>:<line>: ..." on a line without the
// " - " separator or with too few fields.
std::vector<MountinfoEntry> parse_mountinfo(std::string_view text, const std::string& origin);

// Kernel interfaces that never hold VM storage (proc, sysfs, cgroup, ...).
bool is_pseudo_fs(std::string_view fstype);

// shared: a network or cluster filesystem (nfs, nfs4, cifs, smb3, ceph,
// fuse.ceph*, glusterfs, fuse.glusterfs, gfs2, ocfs2, lustre, gpfs, beegfs, afs,
// fuse.mfs, fuse.lizardfs); local: disk, memory and single-host filesystems —
// including 9p, virtiofs (a guest's window onto its own hypervisor) and
// fuse.sshfs (one user's view of one server, no locking); unknown otherwise
// (ask statfs). A bare "fuse"/"fuseblk" is judged by its source
// ("glusterfs", "ceph-fuse").
enum class FsSharing { shared, local, unknown };
FsSharing classify_fstype(std::string_view fstype, std::string_view source);

// By statfs(2) f_type: true for NFS, SMB/CIFS, Ceph, GFS2, OCFS2, Lustre, GPFS,
// AFS, Coda; false for FUSE (says nothing of what is behind it); nullopt otherwise.
std::optional<bool> fs_magic_is_shared(uint64_t magic);

}  // namespace preflight
