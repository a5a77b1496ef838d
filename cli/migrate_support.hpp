#pragma once
// What `preflight migrate VM DEST` and `preflight migrate --evacuate HOST` share.
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/inventory.hpp"
#include "migrate/hypervisor.hpp"
#include "migrate/migration_outcome.hpp"
#include "migrate/migration_request.hpp"
#include "migrate/move_verdict.hpp"
#include "rules/verdict.hpp"

namespace preflight::cli {

// The options of `preflight migrate`, both forms.
struct MigrateOptions {
  std::string vm;           // VM DEST form
  std::string destination;
  std::string from;
  std::string evacuate;     // --evacuate HOST form
  std::vector<std::string> to;  // --to: the candidate hosts; empty = every other inventory host
  std::optional<int> concurrency;  // --concurrency: moves at once per host; empty = the rule's
  std::string mode = "live";
  bool dry_run = false;
  double timeout_s = 0;  // per move
  std::optional<std::uint64_t> max_downtime_ms;
  std::optional<std::uint64_t> bandwidth_mib_s;
  bool accept_warnings = false;
};

// Moving `vm` from `source` to `destination` with the mode and limits of `o`.
// Throws Error for a bad --mode.
MigrationRequest make_request(const MigrateOptions& o, const std::string& vm, const InventoryHost& source,
                              const InventoryHost& destination);

std::string state_text(const std::optional<DomainState>& s);  // "unknown (unreachable)" when empty

// {"event":"outcome","vm",..,"result",..,"timings_ms":{..}}: one move's end, for -o json.
nlohmann::json outcome_json(const MigrationRequest& r, const MoveVerdict& v, const MigrationOutcome& out);

// A host that is only described, never contacted: --dry-run and refusals (the
// Migrator refuses at its gate before it touches a host). Every verb throws.
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
  void create_volume(const StorageVolume& v) override { fail(v.path); }
  void delete_volume(const StorageVolume& v) override { fail(v.path); }
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& v) override { fail(v.path); }
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& v) override { fail(v.path); }
  void abort_job(const std::string& vm) override { fail(vm); }
  JobStats job_stats(const std::string&) override { return {}; }

 private:
  [[noreturn]] void fail(const std::string& vm) const;
  std::string uri_;
};

// While alive, SIGINT and SIGTERM do not end preflight: they set interrupted(), and
// the caller aborts the move (a peer-to-peer job is driven by the source's libvirtd
// and would go on without us). Construct it before any other thread starts, so
// that they all inherit the blocked signals; a sigwait thread takes them.
// `notice` is printed on stderr at the first signal.
class Interrupts {
 public:
  explicit Interrupts(std::string notice = "aborting the move; the VM stays on the source");
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;
  bool interrupted() const { return interrupted_; }

 private:
  sigset_t set_{}, old_{};
  std::string notice_;
  std::atomic<bool> interrupted_{false};
  std::thread watcher_;
};

// The check's verdict as the migrator takes it; a check that could not decide is no-go.
MoveVerdict to_move_verdict(const Verdict& v);

bool may_move(const MoveVerdict& v, bool accept_warnings);

// The URI preflight connects to for writing; throws Error for a host known only
// from files, which cannot move VMs.
const std::string& libvirt_uri(const InventoryHost& h, const std::string& vm);

// How another host's libvirtd reaches `h` for a peer-to-peer move: its
// migrate_uri, else its libvirt URI.
std::string peer_uri(const InventoryHost& h);

}  // namespace preflight::cli
