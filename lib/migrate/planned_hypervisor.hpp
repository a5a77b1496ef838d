#pragma once
// A host that is only described, never contacted: dry runs and refusals (the
// Migrator refuses at its gate before it touches a host). Every verb throws.
#include <string>

#include "migrate/hypervisor.hpp"

namespace preflight {

class PlannedHypervisor final : public Hypervisor {
 public:
  explicit PlannedHypervisor(std::string uri) : uri_(std::move(uri)) {}
  std::string name() const override { return uri_; }
  DomainState state(const std::string& vm) override { fail(vm); }
  void start(const std::string&) override { fail("a domain"); }
  void destroy(const std::string& vm) override { fail(vm); }
  void suspend(const std::string& vm) override { fail(vm); }
  void resume(const std::string& vm) override { fail(vm); }
  void migrate(const std::string& vm, const std::string&, const MigrationCall&) override { fail(vm); }
  std::string describe_migrate(const std::string& vm, const std::string& peer_uri,
                               const MigrationCall& call) const override;
  std::string domain_xml(const std::string& vm) override { fail(vm); }
  std::optional<StorageVolume> volume_at(const std::string& path) override { fail(path); }
  void create_volume(const StorageVolume& v, NewVolume) override { fail(v.path); }
  void delete_volume(const StorageVolume& v) override { fail(v.path); }
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& v) override { fail(v.path); }
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& v) override { fail(v.path); }
  void abort_job(const std::string& vm) override { fail(vm); }
  JobStats job_stats(const std::string&) override { return {}; }
  std::optional<CompletedJobStats> completed_job_stats(const std::string&) override { return std::nullopt; }

 private:
  [[noreturn]] void fail(const std::string& vm) const;
  std::string uri_;
};

}  // namespace preflight
