#pragma once
// One host's hypervisor as the migrator needs it. The libvirt implementation is
// libvirt_hypervisor.hpp; tests may substitute fakes.
//
// Thread contract: migrate() blocks; job_stats() and abort_job() may be called
// from another thread while it runs. Every failure throws Error.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "facts/host_facts.hpp"
#include "move/domain_state.hpp"
#include "move/job_stats.hpp"

namespace preflight {

// One call to the hypervisor's migration primitive.
struct MigrationCall {
  enum class Kind {
    live,      // pre-copy while running
    stopped,   // the (paused) domain is copied as is and stays paused
    offline,   // definition only, the domain is shut off (the migrator copies non-shared disks before)
  };
  Kind kind = Kind::live;
  bool copy_storage = false;                      // non-shared disks copied too
  std::optional<std::uint64_t> bandwidth_mib_s;   // cap of the migration stream
  std::optional<std::uint64_t> max_downtime_ms;   // allowed final pause
};

// A volume of a storage pool (in a dir pool: a file in the pool's directory).
struct StorageVolume {
  std::string pool;       // the pool's name
  std::string pool_path;  // the pool's target directory
  std::string name;       // the volume's name in its pool
  std::string path;       // the volume's file, as a domain's disk names it
  std::uint64_t capacity_bytes = 0;  // the size the guest sees
  std::string format;     // raw, qcow2...; empty when the pool does not say
  std::string pool_type;  // dir, netfs...: with pool_source, whether two hosts' pools are one storage
  PoolSource pool_source; // the pool's <source> (NFS server and export, ...); empty for a dir pool
  std::uint64_t stored_bytes = 0;  // its size where it is stored (a file's length: a qcow2's header, tables and
                                   // data, and any preallocated space); 0 when not known
  bool operator==(const StorageVolume&) const = default;
};

// What a volume created on a destination is for.
enum class NewVolume {
  mirrored,  // the hypervisor writes the guest's disk into it during the move (copy-storage): a qcow2 gets its
             // metadata preallocated, as libvirt's own precreation does
  copied,    // its stored bytes are replaced by the source's (offline): created as small as its format allows,
             // since whatever it holds past the copied image's end stays unless zeroed
};

// A volume's bytes read from the start (a libvirt storage stream). Destroying it
// before finish() abandons the transfer. Every failure throws Error.
class VolumeReader {
 public:
  virtual ~VolumeReader() = default;
  // Up to `size` bytes into `buffer`; 0 once everything was read.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
  // Ends the transfer after read() returned 0.
  virtual void finish() = 0;
};

// A volume's bytes written from the start, over what it held: what it held past
// the last byte written stays (libvirt's upload does not truncate). Destroying it
// before finish() abandons the transfer. Every failure throws Error.
class VolumeWriter {
 public:
  virtual ~VolumeWriter() = default;
  virtual void write(const char* data, std::size_t size) = 0;
  // Ends the transfer; returns once the host has written everything.
  virtual void finish() = 0;
};

class Hypervisor {
 public:
  virtual ~Hypervisor() = default;

  // How this host is named in messages (its URI).
  virtual std::string name() const = 0;

  virtual DomainState state(const std::string& vm) = 0;
  // Starts a transient domain from its XML.
  virtual void start(const std::string& domain_xml) = 0;
  // Stops and forgets `vm` (destroy, then undefine when persistent).
  virtual void destroy(const std::string& vm) = 0;
  virtual void suspend(const std::string& vm) = 0;
  virtual void resume(const std::string& vm) = 0;

  // Moves `vm` to the host that this host reaches as `peer_uri` (peer to peer:
  // this host's daemon connects to the destination). The destination keeps the
  // definition; the source's is removed. Returns when the move is over.
  virtual void migrate(const std::string& vm, const std::string& peer_uri, const MigrationCall& call) = 0;
  // The call migrate() would make, in the hypervisor's own terms (--dry-run).
  virtual std::string describe_migrate(const std::string& vm, const std::string& peer_uri,
                                       const MigrationCall& call) const = 0;
  // The domain XML of `vm`: the live definition while it runs or is paused (with
  // the guest CPU the hypervisor actually gave it), the persistent one when shut off.
  virtual std::string domain_xml(const std::string& vm) = 0;

  // The pool volume at `path`, its pools refreshed first; nullopt when no pool of
  // this host holds `path`.
  virtual std::optional<StorageVolume> volume_at(const std::string& path) = 0;
  // Creates an empty volume like `volume` (name, capacity, format) in this host's
  // pool named volume.pool, which must have the directory volume.pool_path, for
  // `use`. Throws Error when there is no such pool, it has another directory, or the
  // volume exists.
  virtual void create_volume(const StorageVolume& volume, NewVolume use) = 0;
  // Deletes the volume at volume.path from pool volume.pool; a missing one is not an error.
  virtual void delete_volume(const StorageVolume& volume) = 0;
  // The content of the volume at volume.path in pool volume.pool, as stored (a
  // qcow2 volume's qcow2 file). Throws Error when there is no such volume.
  virtual std::unique_ptr<VolumeReader> read_volume(const StorageVolume& volume) = 0;
  // Writes the content of the existing volume at volume.path in pool volume.pool.
  virtual std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& volume) = 0;

  // Cancels `vm`'s running job; no job is not an error.
  virtual void abort_job(const std::string& vm) = 0;
  // The job of `vm` now; inactive when there is none.
  virtual JobStats job_stats(const std::string& vm) = 0;
  // The statistics of `vm`'s last finished job on this host, left in place for the
  // operator; empty when this host keeps none (no such domain, no finished job).
  virtual std::optional<CompletedJobStats> completed_job_stats(const std::string& vm) = 0;
};

}  // namespace preflight
