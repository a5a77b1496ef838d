#pragma once
// Reading libvirt storage pool and volume XML (virsh pool-dumpxml, vol-dumpxml).
// Pure: text in, facts out. Sizes in bytes.
#include <string>
#include <string_view>

#include "facts/host_facts.hpp"

namespace preflight {

// Source: hosts as "name" or "name:port" (NFS server, iSCSI portal, RBD monitors),
// dir (NFS export), devices (iSCSI target IQN, disk/logical PVs), name (RBD pool,
// VG), adapter ("wwnn:wwpn" for fc_host, else the SCSI adapter name), format.
// capacity/available are what the XML says; `active` is false and `volumes` empty
// (the collector fills both). Throws Error "<origin>:<line>:<col>: ..." on
// malformed XML, "<origin>: ..." on a bad size.
PoolFacts parse_pool_xml(std::string_view xml, const std::string& origin);

// type defaults to "file"; capacity/allocation unknown when the XML has none.
VolumeFacts parse_volume_xml(std::string_view xml, const std::string& origin);

}  // namespace preflight
