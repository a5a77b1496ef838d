// The migrator's other modes and faults against real libvirtd + QEMU in the
// two-host lab (tests/lab/): copy-storage of a qcow2 disk, quick, offline (also
// with a qcow2 disk preflight copies), a link cut mid-move, and the guest CPU
// verified on the destination. Skipped, with the reason, where the lab cannot run.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "collect/domain_xml.hpp"
#include "migrate/guest_cpu_check.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/migrator.hpp"
#include "support/lab.hpp"
#include "support/lab_available.hpp"
#include "support/lab_guest.hpp"
#include "support/run_process.hpp"

using namespace preflight;
using preflight::test::Lab;
using preflight::test::LabAvailable;
using preflight::test::LabGuest;

namespace {

using preflight::test::fast_polling;
using preflight::test::kGo;
using preflight::test::same;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Forwards to a real host and logs the calls that change storage or move a VM,
// in the order they reach either host (one log shared by both wrappers).
class LoggingHypervisor : public Hypervisor {
 public:
  LoggingHypervisor(Hypervisor& real, std::string tag, std::vector<std::string>& log)
      : real_(real), tag_(std::move(tag)), log_(log) {}
  std::string name() const override { return real_.name(); }
  DomainState state(const std::string& vm) override { return real_.state(vm); }
  void start(const std::string& xml) override { real_.start(xml); }
  void destroy(const std::string& vm) override { real_.destroy(vm); }
  void suspend(const std::string& vm) override {
    record("suspend");
    real_.suspend(vm);
  }
  void resume(const std::string& vm) override {
    record("resume");
    real_.resume(vm);
  }
  void migrate(const std::string& vm, const std::string& uri, const MigrationCall& call) override {
    record("migrate");
    real_.migrate(vm, uri, call);
  }
  std::string describe_migrate(const std::string& vm, const std::string& uri, const MigrationCall& c) const override {
    return real_.describe_migrate(vm, uri, c);
  }
  std::string domain_xml(const std::string& vm) override { return real_.domain_xml(vm); }
  std::optional<StorageVolume> volume_at(const std::string& path) override { return real_.volume_at(path); }
  void create_volume(const StorageVolume& v, NewVolume use) override {
    record("create_volume " + v.path);
    created.push_back(v);
    real_.create_volume(v, use);
  }
  void delete_volume(const StorageVolume& v) override {
    record("delete_volume " + v.path);
    real_.delete_volume(v);
  }
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& v) override {
    record("read_volume " + v.path);
    return real_.read_volume(v);
  }
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& v) override {
    record("write_volume " + v.path);
    return real_.write_volume(v);
  }
  void abort_job(const std::string& vm) override { real_.abort_job(vm); }
  JobStats job_stats(const std::string& vm) override { return real_.job_stats(vm); }
  std::optional<CompletedJobStats> completed_job_stats(const std::string& vm) override {
    return real_.completed_job_stats(vm);
  }
  std::vector<StorageVolume> created;

 private:
  void record(const std::string& call) {
    std::lock_guard lock(mutex_);
    log_.push_back(tag_ + " " + call);
  }
  Hypervisor& real_;
  std::string tag_;
  std::vector<std::string>& log_;
  static inline std::mutex mutex_;
};

CpuDefinition live_cpu(Hypervisor& host, const std::string& vm) {
  return parse_domain_xml(host.domain_xml(vm), host.name()).cpu;
}

bool has_enabled(const CpuDefinition& cpu, const std::string& feature) {
  for (const auto& f : cpu.features)
    if (f.name == feature) return f.policy == "require" || f.policy == "force" || f.policy.empty();
  return false;
}

// Polls until host's `vm` is absent; bounded.
bool wait_absent(Hypervisor& host, const std::string& vm, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (host.state(vm) == DomainState::absent) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return host.state(vm) == DomainState::absent;
}

// A qcow2 volume on lab host 1, removed from both hosts at the end.
struct LabVolume {
  Lab& lab;
  std::string name;
  std::string path;
  LabVolume(Lab& l, std::string n, int mib = 16) : lab(l), name(std::move(n)) {
    remove();
    path = lab.make_qcow2(1, name, mib);
  }
  ~LabVolume() { remove(); }
  void remove() {
    for (int n : {1, 2}) lab.exec(n, {"sh", "-c", "rm -f /var/lib/libvirt/images/" + name});
  }
};

// Restores the link between the hosts however the test ends.
struct LinkRestorer {
  Lab& lab;
  ~LinkRestorer() {
    try {
      lab.set_link(true);
    } catch (...) {
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(lab, *boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(copy_storage_moves_a_qcow2_disk_into_a_volume_precreated_on_the_destination) {
  Lab& lab = *test::shared_lab();
  LabVolume disk(lab, "lab-copy.qcow2");
  LabGuest g("lab-copy", false, disk.path);
  // /var is per host: the file is on host 1 only.
  BOOST_TEST(lab.exec(1, {"test", "-f", disk.path}).exit_code == 0);
  BOOST_TEST(lab.exec(2, {"test", "-e", disk.path}).exit_code != 0);
  BOOST_TEST(!g.host2.volume_at(disk.path).has_value());
  const std::optional<StorageVolume> on_source = g.host1.volume_at(disk.path);
  BOOST_TEST_REQUIRE(on_source.has_value());
  BOOST_TEST(on_source->pool == "images");
  BOOST_TEST(on_source->format == "qcow2");
  BOOST_TEST(on_source->capacity_bytes == 16u << 20);
  const CpuDefinition planned = live_cpu(g.host1, g.vm);

  std::vector<std::string> log;
  LoggingHypervisor source(g.host1, "host1", log), destination(g.host2, "host2", log);
  auto request = g.request();
  request.mode = MigrationMode::copy_storage;
  request.timeout = std::chrono::milliseconds(60000);  // a bound
  auto outcome = Migrator(source, destination, nullptr, fast_polling()).run(request, kGo, same(kGo));
  BOOST_TEST_MESSAGE("copy-storage move: " << outcome.timings.move_ms << " ms");
  BOOST_TEST(to_string(outcome.result) == "moved", outcome.message);
  // The migrator made the volume, before the migration call: libvirt found it there.
  BOOST_TEST((log == std::vector<std::string>{"host2 create_volume " + disk.path, "host1 migrate"}));
  BOOST_TEST_REQUIRE(destination.created.size() == 1u);
  BOOST_TEST((destination.created[0] == *on_source));

  g.check_continues_on_destination();
  const std::optional<StorageVolume> on_destination = g.host2.volume_at(disk.path);
  BOOST_TEST_REQUIRE(on_destination.has_value());
  BOOST_TEST(on_destination->pool == "images");
  BOOST_TEST(on_destination->format == "qcow2");
  BOOST_TEST(on_destination->capacity_bytes == 16u << 20);
  BOOST_TEST(lab.qcow2_has_pattern(2, disk.path), "the disk's data did not arrive on host 2");
  // Verified as planned: the destination runs the guest CPU of the source.
  const CpuDefinition there = live_cpu(g.host2, g.vm);
  BOOST_TEST(guest_cpu_losses(planned, there).empty());
  BOOST_TEST(has_enabled(there, "sse4.2"));
}

BOOST_AUTO_TEST_CASE(an_aborted_copy_storage_move_deletes_the_volume_it_precreated) {
  Lab& lab = *test::shared_lab();
  LabVolume disk(lab, "lab-copyabort.qcow2");
  LabGuest g("lab-copyabort", true, disk.path);
  auto request = g.request();
  request.mode = MigrationMode::copy_storage;
  request.bandwidth_mib_s = 1;  // 16 MiB of disk, then 64 MiB of memory: far beyond the timeout
  request.timeout = std::chrono::milliseconds(3000);
  bool was_created = false;
  auto outcome = Migrator(g.host1, g.host2, nullptr, fast_polling())
                     .run(request, kGo, same(kGo), [&](const MigrationEvent& e) {
                       if (e.phase == MigrationEvent::Phase::migrating && !was_created)
                         was_created = lab.exec(2, {"test", "-f", disk.path}).exit_code == 0;
                     });
  BOOST_TEST_MESSAGE("aborted copy-storage move: " << outcome.message << " (" << outcome.timings.move_ms << " ms)");
  BOOST_TEST(was_created, "the volume was not on host 2 during the move");
  BOOST_TEST(to_string(outcome.result) == "failed");
  BOOST_TEST(outcome.message.find("lab-copyabort: timed out after 3000 ms, the migration job was aborted") == 0u,
             outcome.message);
  BOOST_TEST(contains(outcome.message, "; deleted the precreated volume " + disk.path + " on lab-host2"),
             outcome.message);
  BOOST_TEST(outcome.running_on == "source");
  BOOST_TEST(!g.host2.volume_at(disk.path).has_value());
  BOOST_TEST(lab.exec(2, {"test", "-e", disk.path}).exit_code != 0);
  BOOST_TEST(lab.qcow2_has_pattern(1, disk.path));  // the source's disk is untouched
  g.check_still_on_source();
}

BOOST_AUTO_TEST_CASE(quick_suspends_moves_paused_and_resumes_on_the_destination) {
  LabGuest g("lab-quick", false);
  const CpuDefinition planned = live_cpu(g.host1, g.vm);
  std::vector<std::string> log;
  LoggingHypervisor source(g.host1, "host1", log), destination(g.host2, "host2", log);
  auto request = g.request();
  request.mode = MigrationMode::quick;
  request.timeout = std::chrono::milliseconds(60000);
  auto outcome = Migrator(source, destination, nullptr, fast_polling()).run(request, kGo, same(kGo));
  BOOST_TEST_MESSAGE("quick move: " << outcome.timings.move_ms << " ms");
  BOOST_TEST(to_string(outcome.result) == "moved", outcome.message);
  BOOST_TEST((log == std::vector<std::string>{"host1 suspend", "host1 migrate", "host2 resume"}));
  g.check_continues_on_destination();
  BOOST_TEST(guest_cpu_losses(planned, live_cpu(g.host2, g.vm)).empty());
}

BOOST_AUTO_TEST_CASE(offline_moves_a_shut_off_definition) {
  Lab& lab = *test::shared_lab();
  LibvirtHypervisor host1(lab.host(1).control_uri), host2(lab.host(2).control_uri);
  const std::string vm = "lab-offline";
  host1.destroy(vm);
  host2.destroy(vm);
  auto define = test::run_process({"virsh", "-q", "-c", lab.host(1).control_uri, "define", "/dev/stdin"}, {},
                                  lab.guest_xml(vm));
  BOOST_TEST_REQUIRE(define.exit_code == 0, define.err);
  BOOST_TEST_REQUIRE(to_string(host1.state(vm)) == "shutoff");

  MigrationRequest request = test::lab_request(lab, vm);
  request.mode = MigrationMode::offline;
  request.timeout = std::chrono::milliseconds(60000);
  auto outcome = Migrator(host1, host2, nullptr, fast_polling()).run(request, kGo, same(kGo));
  BOOST_TEST_MESSAGE("offline move: " << outcome.timings.move_ms << " ms");
  BOOST_TEST(to_string(outcome.result) == "moved", outcome.message);
  BOOST_TEST(to_string(host2.state(vm)) == "shutoff");
  BOOST_TEST(to_string(host1.state(vm)) == "absent");
  // The moved definition is persistent and runs there.
  auto start = test::run_process({"virsh", "-q", "-c", lab.host(2).control_uri, "start", vm});
  BOOST_TEST(start.exit_code == 0, start.err);
  BOOST_TEST(lab.wait_counter_above(2, vm, 2, 30), vm << " does not run on host 2");
  try {
    host1.destroy(vm);
    host2.destroy(vm);
  } catch (...) {
  }
}

BOOST_AUTO_TEST_CASE(offline_copies_a_qcow2_disk_the_destination_lacks_then_moves_the_definition) {
  Lab& lab = *test::shared_lab();
  LibvirtHypervisor real1(lab.host(1).control_uri), real2(lab.host(2).control_uri);
  std::vector<std::string> log;
  LoggingHypervisor host1(real1, "host1", log), host2(real2, "host2", log);
  const std::string vm = "lab-offline-disk";
  real1.destroy(vm);
  real2.destroy(vm);
  // 1 GiB for the guest, 1 MiB of it written: precreated with preallocated metadata,
  // the destination's file would be 1 GiB long with L2 tables near its end, past the
  // end of the image the copy writes over its start.
  LabVolume disk(lab, vm + ".qcow2", 1024);
  BOOST_TEST_REQUIRE(lab.qcow2_has_pattern(1, disk.path));
  BOOST_TEST_REQUIRE(!real2.volume_at(disk.path).has_value());
  auto define = test::run_process({"virsh", "-q", "-c", lab.host(1).control_uri, "define", "/dev/stdin"}, {},
                                  lab.guest_xml(vm, false, disk.path));
  BOOST_TEST_REQUIRE(define.exit_code == 0, define.err);
  BOOST_TEST_REQUIRE(to_string(real1.state(vm)) == "shutoff");

  MigrationRequest request = test::lab_request(lab, vm);
  request.mode = MigrationMode::offline;
  request.timeout = std::chrono::milliseconds(60000);
  auto outcome = Migrator(host1, host2, nullptr, fast_polling()).run(request, kGo, same(kGo));
  BOOST_TEST_MESSAGE("offline move with a disk copy: " << outcome.timings.move_ms << " ms");
  BOOST_TEST(to_string(outcome.result) == "moved", outcome.message);
  BOOST_TEST((log == std::vector<std::string>{"host2 create_volume " + disk.path, "host1 read_volume " + disk.path,
                                              "host2 write_volume " + disk.path, "host1 migrate"}));
  BOOST_TEST(to_string(real2.state(vm)) == "shutoff");
  BOOST_TEST(to_string(real1.state(vm)) == "absent");
  const auto on_destination = real2.volume_at(disk.path);
  BOOST_TEST_REQUIRE(on_destination.has_value());
  BOOST_TEST(on_destination->pool == "images");
  BOOST_TEST(on_destination->format == "qcow2");
  BOOST_TEST(on_destination->capacity_bytes == 1024u << 20);
  BOOST_TEST(lab.qcow2_has_pattern(2, disk.path), "the disk's data did not arrive on host 2");
  const auto check = lab.exec(2, {"qemu-img", "check", "-U", "-f", "qcow2", disk.path});
  BOOST_TEST(check.exit_code == 0, check.out);  // a consistent qcow2: no corruption, no leaked clusters
  // Past the end of the image (the source's file) the destination's file holds no
  // byte it held before the copy: there is nothing there, or zeros.
  const auto source_size = lab.exec(1, {"stat", "-c", "%s", disk.path});
  BOOST_TEST_REQUIRE(source_size.exit_code == 0, source_size.out);
  const unsigned long long image_end = std::stoull(source_size.out);
  BOOST_TEST(image_end > 1u << 20);
  const auto past_end = lab.exec(2, {"sh", "-c", "tail -c +" + std::to_string(image_end + 1) + " " + disk.path +
                                                     " | tr -d '\\000' | wc -c"});
  BOOST_TEST(past_end.exit_code == 0, past_end.out);
  BOOST_TEST(std::stoull(past_end.out) == 0u, past_end.out << " non-zero bytes past the image's end on host 2");
  // Only the definition left host 1: its disk file stays, untouched.
  BOOST_TEST(lab.qcow2_has_pattern(1, disk.path));
  auto start = test::run_process({"virsh", "-q", "-c", lab.host(2).control_uri, "start", vm});
  BOOST_TEST(start.exit_code == 0, start.err);
  BOOST_TEST(lab.wait_counter_above(2, vm, 2, 30), vm << " does not run on host 2");
  try {
    real1.destroy(vm);
    real2.destroy(vm);
  } catch (...) {
  }
}

BOOST_AUTO_TEST_CASE(a_link_cut_mid_move_leaves_the_vm_running_on_the_source_only) {
  LabGuest g("lab-linkcut", true);
  LinkRestorer restore{g.lab};
  auto request = g.request();
  request.bandwidth_mib_s = 2;  // 32 MiB rewritten continuously: the move lasts until cut
  request.timeout = std::chrono::milliseconds(60000);  // a bound, not the trigger
  std::once_flag cut;
  bool cut_ok = false;
  std::chrono::steady_clock::time_point cut_at;
  auto outcome = Migrator(g.host1, g.host2, nullptr, fast_polling())
                     .run(request, kGo, same(kGo), [&](const MigrationEvent& e) {
                       if (e.phase == MigrationEvent::Phase::migrating && e.stats.data_processed > (1u << 20))
                         std::call_once(cut, [&] {
                           g.lab.set_link(false);
                           cut_at = std::chrono::steady_clock::now();
                           cut_ok = true;
                         });
                     });
  BOOST_TEST_REQUIRE(cut_ok);
  const double failed_after_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - cut_at).count();
  BOOST_TEST_MESSAGE("with the link cut: " << outcome.message << "; the move ended " << failed_after_s
                                           << " s after the cut");
  BOOST_TEST(to_string(outcome.result) == "failed");
  BOOST_TEST(outcome.running_on == "source");
  BOOST_TEST(to_string(*outcome.source_state) == "running");
  BOOST_TEST((outcome.destination_state != DomainState::running));  // not a second running copy
  BOOST_TEST(failed_after_s < 30.0);  // libvirt's keepalive (lab: 2 s x 3) ends it, not our 60 s bound
  g.lab.set_link(true);
  // The destination drops its incoming copy once it sees the source gone.
  BOOST_TEST(wait_absent(g.host2, g.vm, 20));
  g.check_still_on_source();
}

BOOST_AUTO_TEST_SUITE_END()
