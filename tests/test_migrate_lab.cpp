// The migrator against real libvirtd + QEMU in the two-host lab (tests/lab/).
// Skipped, with the reason, where the lab cannot run (not root, no namespaces,
// no libvirtd/QEMU).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <fstream>

#include <nlohmann/json.hpp>

#include "check/estimate_run.hpp"
#include "collect/domain_xml.hpp"
#include "migrate/journal.hpp"
#include "migrate/libvirt_hypervisor.hpp"
#include "migrate/migrator.hpp"
#include "migrate/move_request.hpp"
#include "support/lab.hpp"
#include "support/lab_available.hpp"
#include "support/lab_guest.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::Lab;
using preflight::test::shared_lab;
using preflight::test::TempDir;

namespace {

using preflight::test::LabAvailable;
using preflight::test::LabGuest;

// Forwards to a real host and counts the migration calls.
class CountingHypervisor : public Hypervisor {
 public:
  explicit CountingHypervisor(Hypervisor& real) : real_(real) {}
  std::atomic<int> migrate_calls{0};
  std::string name() const override { return real_.name(); }
  DomainState state(const std::string& vm) override { return real_.state(vm); }
  void start(const std::string& xml) override { real_.start(xml); }
  void destroy(const std::string& vm) override { real_.destroy(vm); }
  void suspend(const std::string& vm) override { real_.suspend(vm); }
  void resume(const std::string& vm) override { real_.resume(vm); }
  void migrate(const std::string& vm, const std::string& uri, const MigrationCall& call) override {
    ++migrate_calls;
    real_.migrate(vm, uri, call);
  }
  std::string describe_migrate(const std::string& vm, const std::string& uri, const MigrationCall& c) const override {
    return real_.describe_migrate(vm, uri, c);
  }
  std::string domain_xml(const std::string& vm) override { return real_.domain_xml(vm); }
  std::optional<StorageVolume> volume_at(const std::string& path) override { return real_.volume_at(path); }
  void create_volume(const StorageVolume& v, NewVolume use) override { real_.create_volume(v, use); }
  void delete_volume(const StorageVolume& v) override { real_.delete_volume(v); }
  std::unique_ptr<VolumeReader> read_volume(const StorageVolume& v) override { return real_.read_volume(v); }
  std::unique_ptr<VolumeWriter> write_volume(const StorageVolume& v) override { return real_.write_volume(v); }
  void abort_job(const std::string& vm) override { real_.abort_job(vm); }
  JobStats job_stats(const std::string& vm) override { return real_.job_stats(vm); }
  std::optional<CompletedJobStats> completed_job_stats(const std::string& vm) override {
    return real_.completed_job_stats(vm);
  }

 private:
  Hypervisor& real_;
};

using preflight::test::fast_polling;
using preflight::test::kGo;
using preflight::test::same;

}  // namespace

BOOST_AUTO_TEST_SUITE(lab, *boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(a_go_move_succeeds_and_the_guest_keeps_counting) {
  LabGuest g("lab-go", false);
  BOOST_TEST_MESSAGE("lab accel: " << g.lab.accel());
  // Planned with the estimate `preflight migrate` makes (nothing measured here).
  MigrationRequest request = g.request();
  const Estimate est =
      summary_estimate(parse_domain_xml(g.host1.domain_xml(g.vm), "lab-go"), nullptr, nullptr, nullptr, nullptr);
  request.estimate = planned_estimate(est);
  TempDir dir("preflight-lab-journal");
  const Journal journal(dir.path / "journal.jsonl");
  int rechecks = 0;
  auto outcome = Migrator(g.host1, g.host2, &journal, fast_polling())
                     .run(request, kGo, [&] {
                       ++rechecks;
                       return kGo;
                     });
  BOOST_TEST_MESSAGE("live move: " << outcome.timings.move_ms << " ms, total " << outcome.timings.total_ms << " ms");
  BOOST_TEST(to_string(outcome.result) == "moved", outcome.message);
  BOOST_TEST(rechecks == 1);
  g.check_continues_on_destination();

  // The journal line holds the estimate and the finished job's own figures side by side.
  std::ifstream in(journal.path());
  std::string text;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(in, text)), "no journal line");
  BOOST_TEST_MESSAGE("journal: " << text);
  const nlohmann::json line = nlohmann::json::parse(text);
  BOOST_TEST(line["estimate"]["total_s"].get<double>() > 0);
  BOOST_TEST(line["estimate"]["iterations"].get<int>() >= 1);
  BOOST_TEST_REQUIRE(line["real"].is_object(), line["real_missing"]);
  const nlohmann::json& real = line["real"];
  BOOST_TEST(real["from"] == "destination");  // libvirt hands the job's figures over with the domain
  BOOST_TEST(real["total_s"].get<double>() > 0);
  BOOST_TEST(real["downtime_ms"].get<double>() >= 0);
  BOOST_TEST(real["iterations"].get<int>() >= 1);
  BOOST_TEST(real["memory_bytes"].get<double>() > 0);
  BOOST_TEST(line["real_missing"] == "");
}

BOOST_AUTO_TEST_CASE(no_go_and_same_host_are_refused_before_any_migration_call) {
  LabGuest g("lab-nogo", false);
  CountingHypervisor source(g.host1);
  auto outcome = Migrator(source, g.host2).run(g.request(), {MoveVerdictKind::no_go, {"cpu.features: lacks sse4.2"}},
                                               same(kGo));
  BOOST_TEST(to_string(outcome.result) == "refused");
  auto same_host = g.request();
  same_host.destination = same_host.source;
  auto outcome2 = Migrator(source, g.host1).run(same_host, kGo, same(kGo));
  BOOST_TEST(outcome2.message == "lab-nogo: not moving: source and destination are the same host (lab-host1)");
  BOOST_TEST(source.migrate_calls == 0);
  g.check_still_on_source();
}

BOOST_AUTO_TEST_CASE(a_destination_cpu_that_refuses_the_guest_leaves_it_on_the_source) {
  LabGuest g("lab-weakcpu", false);
  g.lab.set_destination_cpu_off("sse4.2");
  auto outcome = Migrator(g.host1, g.host2).run(g.request(), kGo, same(kGo));
  g.lab.set_destination_cpu_off("");
  BOOST_TEST(to_string(outcome.result) == "failed");
  BOOST_TEST_MESSAGE("refused by the destination: " << outcome.message);
  BOOST_TEST(outcome.running_on == "source");
  g.check_still_on_source();
}

BOOST_AUTO_TEST_CASE(a_timeout_aborts_and_leaves_the_vm_running_on_the_source) {
  LabGuest g("lab-timeout", true);
  auto request = g.request();
  request.bandwidth_mib_s = 2;  // 32 MiB rewritten continuously: never converges
  request.timeout = std::chrono::milliseconds(5000);
  std::vector<JobStats> samples;
  std::mutex m;
  auto outcome = Migrator(g.host1, g.host2, nullptr, fast_polling())
                     .run(request, kGo, same(kGo), [&](const MigrationEvent& e) {
                       std::lock_guard lock(m);
                       if (e.phase == MigrationEvent::Phase::migrating) samples.push_back(e.stats);
                     });
  BOOST_TEST(to_string(outcome.result) == "failed");
  BOOST_TEST(outcome.message.find("lab-timeout: timed out after 5000 ms, the migration job was aborted") == 0u,
             outcome.message);
  BOOST_TEST(outcome.running_on == "source");
  BOOST_TEST_REQUIRE(!samples.empty());
  BOOST_TEST(samples.back().data_processed > 0u);
  BOOST_TEST(samples.back().data_total >= 64u * 1024 * 1024);
  BOOST_TEST_MESSAGE("move aborted after " << outcome.timings.move_ms << " ms; " << samples.size() << " samples");
  g.check_still_on_source();
}

BOOST_AUTO_TEST_CASE(destination_libvirtd_killed_mid_move_leaves_the_vm_running_on_the_source) {
  LabGuest g("lab-killdest", true);
  auto request = g.request();
  request.bandwidth_mib_s = 2;
  request.timeout = std::chrono::milliseconds(60000);  // a bound, not the trigger
  std::once_flag killed;
  bool kill_ok = false;
  auto outcome = Migrator(g.host1, g.host2, nullptr, fast_polling())
                     .run(request, kGo, same(kGo), [&](const MigrationEvent& e) {
                       if (e.phase == MigrationEvent::Phase::migrating && e.stats.data_processed > 0)
                         std::call_once(killed, [&] {
                           g.lab.kill_libvirtd(2);
                           kill_ok = true;
                         });
                     });
  BOOST_TEST(kill_ok);
  BOOST_TEST(to_string(outcome.result) == "failed");
  BOOST_TEST_MESSAGE("with the destination daemon killed: " << outcome.message);
  BOOST_TEST(outcome.running_on == "source");
  BOOST_TEST(outcome.timings.move_ms < 30000);
  g.lab.start_libvirtd(2);
  g.check_still_on_source();  // and no copy on the restarted destination
}

BOOST_AUTO_TEST_SUITE_END()

// By hand only (bench/migrate/run.sh): the migrator's wall time against a bare
// `virsh migrate --live --p2p` of the same guest, ping-pong between the hosts.
BOOST_AUTO_TEST_SUITE(bench, *boost::unit_test::disabled() * boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(migrator_against_bare_virsh) {
  const char* runs_env = std::getenv("PREFLIGHT_BENCH_RUNS");
  const int runs = runs_env ? std::atoi(runs_env) : 10;
  LabGuest g("lab-bench", false);
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
  std::vector<double> bare, migrator;
  int from = 1;
  for (int i = 0; i < 2 * runs; ++i) {
    const int to = 3 - from;
    const bool use_migrator = i % 2 == 1;  // interleaved, so load drifts hit both
    const auto start = Clock::now();
    if (use_migrator) {
      LibvirtHypervisor source(g.lab.host(from).control_uri), destination(g.lab.host(to).control_uri);
      MigrationRequest r = g.request();
      r.source = "lab-host" + std::to_string(from);
      r.destination = "lab-host" + std::to_string(to);
      r.destination_peer_uri = g.lab.host(to).peer_uri;
      auto outcome = Migrator(source, destination).run(r, kGo, same(kGo));
      BOOST_TEST_REQUIRE(to_string(outcome.result) == "moved", outcome.message);
      migrator.push_back(seconds_since(start));
    } else {
      auto r = preflight::test::run_process({"virsh", "-q", "-c", g.lab.host(from).control_uri, "migrate", "--live",
                                             "--p2p", "--persistent", "--undefinesource", g.vm,
                                             g.lab.host(to).peer_uri});
      BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
      bare.push_back(seconds_since(start));
    }
    from = to;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  auto list = [](const std::vector<double>& v) {
    std::string s;
    for (double x : v) s += std::to_string(x).substr(0, 5) + " ";
    return s;
  };
  std::cout << "accel " << g.lab.accel() << ", " << runs << " runs each\n"
            << "bare virsh migrate --live --p2p: median " << median(bare) << " s [" << list(bare) << "]\n"
            << "preflight Migrator (live):       median " << median(migrator) << " s [" << list(migrator) << "]\n"
            << "ratio migrator/bare: " << median(migrator) / median(bare) << "\n";
  g.host1.destroy(g.vm);
  g.host2.destroy(g.vm);
}

BOOST_AUTO_TEST_SUITE_END()
