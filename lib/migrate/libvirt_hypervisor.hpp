#pragma once
// Hypervisor over a libvirt connection (read-write). Migration is peer to peer
// with virDomainMigrateToURI3; volumes are created in and deleted from storage
// pools (virStorageVolCreateXML, virStorageVolDelete) and read or written through
// storage streams (virStorageVolDownload, virStorageVolUpload); job statistics and aborts go through a second
// connection so they answer while migrate() blocks the first. Both connections are
// read-write and opened, like every libvirt connection, through
// collect/libvirt_client.hpp (which also sets up the process once: no printing, SIGPIPE).
#include <memory>
#include <mutex>
#include <string>

#include "migrate/hypervisor.hpp"

namespace preflight {

class LibvirtHypervisor final : public Hypervisor {
 public:
  // Connects now; throws Error naming `uri` when libvirt refuses.
  explicit LibvirtHypervisor(std::string uri);
  ~LibvirtHypervisor() override;
  LibvirtHypervisor(const LibvirtHypervisor&) = delete;
  LibvirtHypervisor& operator=(const LibvirtHypervisor&) = delete;

  std::string name() const override { return uri_; }
  DomainState state(const std::string& vm) override;
  void start(const std::string& domain_xml) override;
  void destroy(const std::string& vm) override;
  void suspend(const std::string& vm) override;
  void resume(const std::string& vm) override;
  void migrate(const std::string& vm, const std::string& peer_uri, const MigrationCall& call) override;
  std::string describe_migrate(const std::string& vm, const std::string& peer_uri,
                               const MigrationCall& call) const override;
  std::string domain_xml(const std::string& vm) override;
  std::optional<StorageVolume> volume_at(const std::string& path) override;
  void create_volume(const StorageVolume& volume, NewVolume use) override;
  void delete_volume(const StorageVolume& volume) override;
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& volume) override;
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& volume) override;
  void abort_job(const std::string& vm) override;
  JobStats job_stats(const std::string& vm) override;
  std::optional<CompletedJobStats> completed_job_stats(const std::string& vm) override;

 private:
  struct Connection;
  std::string uri_;
  std::unique_ptr<Connection> main_;     // migrate() and the other verbs
  std::unique_ptr<Connection> monitor_;  // job_stats() and abort_job()
};

// What LibvirtHypervisor(source_uri).describe_migrate() says, without connecting
// (for --dry-run, which must not open a read-write connection).
std::string describe_libvirt_migrate(const std::string& source_uri, const std::string& vm,
                                     const std::string& peer_uri, const MigrationCall& call);

// The virDomainMigrateToURI3 flags for `call`, as "VIR_MIGRATE_A|VIR_MIGRATE_B".
std::string migrate_flag_names(const MigrationCall& call);

}  // namespace preflight
