// The migrator's safety rules against a scripted in-memory hypervisor pair: what
// it refuses, what it calls, and how it recovers from each kind of failure.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "migrate/guest_cpu_check.hpp"
#include "migrate/journal.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/migrator.hpp"
#include "report/migration_json.hpp"
#include "support/fake_host.hpp"

using namespace preflight;
using preflight::test::FakeHost;

namespace {

struct Hosts {
  FakeHost a{"hostA"}, b{"hostB"};
  Hosts() {
    a.peer = &b;
    b.peer = &a;
    a.domains["vm1"] = DomainState::running;
  }
  MigrationRequest request(MigrationMode mode = MigrationMode::live) const {
    MigrationRequest r;
    r.vm = "vm1";
    r.source = "hostA";
    r.destination = "hostB";
    r.destination_peer_uri = "qemu+tcp://hostB/system";
    r.mode = mode;
    return r;
  }
  int count(const FakeHost& h, const std::string& call) const {
    return static_cast<int>(std::count(h.calls.begin(), h.calls.end(), call));
  }
};

const MoveVerdict kGo{MoveVerdictKind::go, {}};
const MoveVerdict kWarn{MoveVerdictKind::warn, {"memory.overcommit: 90% of the destination"}};
const MoveVerdict kNoGo{MoveVerdictKind::no_go, {"cpu.features: destination lacks avx512f"}};
Recheck same(const MoveVerdict& v) {
  return [v] { return v; };
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_go_verdict_moves_and_verifies) {
  Hosts h;
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved");
  BOOST_TEST(out.message == "");
  BOOST_TEST(out.running_on == "destination");
  BOOST_TEST(to_string(*out.destination_state) == "running");
  BOOST_TEST(to_string(*out.source_state) == "absent");
  BOOST_TEST(h.count(h.a, "migrate") == 1);
  BOOST_TEST((h.a.last_call.kind == MigrationCall::Kind::live));
}

BOOST_AUTO_TEST_CASE(no_go_is_refused_before_any_host_is_touched) {
  Hosts h;
  auto out = Migrator(h.a, h.b).run(h.request(), kNoGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message == "vm1: not moving to hostB: the verdict is no-go");
  BOOST_TEST(out.reasons == kNoGo.reasons);
  BOOST_TEST(h.a.calls.empty());
  BOOST_TEST(h.b.calls.empty());
}

// A check that could not decide never moves, and says so in its own word.
BOOST_AUTO_TEST_CASE(undecided_is_refused_before_any_host_is_touched_and_named) {
  Hosts h;
  const MoveVerdict undecided{MoveVerdictKind::undecided, {"resources.memory: hostB: fact memory.free_kib is unknown"}};
  auto request = h.request();
  request.accept_warnings = true;
  auto out = Migrator(h.a, h.b).run(request, undecided, same(kGo));
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message.rfind("vm1: not moving to hostB: the verdict is undecided; ", 0) == 0, out.message);
  BOOST_TEST(outcome_json(h.request(), undecided, out)["verdict"] == "undecided");
  BOOST_TEST(h.a.calls.empty());
  BOOST_TEST(h.b.calls.empty());
  // Nor on a re-check that cannot decide.
  Hosts again;
  out = Migrator(again.a, again.b).run(again.request(), kGo, same(undecided));
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(again.count(again.a, "migrate") == 0);
}

BOOST_AUTO_TEST_CASE(warn_moves_only_with_accept_warnings) {
  Hosts h;
  auto refused = Migrator(h.a, h.b).run(h.request(), kWarn, same(kWarn));
  BOOST_TEST(to_string(refused.result) == "refused");
  BOOST_TEST(refused.message ==
             "vm1: not moving to hostB: the verdict is warn; accept the warnings (--accept-warnings) to move anyway");
  BOOST_TEST(h.count(h.a, "migrate") == 0);

  auto request = h.request();
  request.accept_warnings = true;
  auto moved = Migrator(h.a, h.b).run(request, kWarn, same(kWarn));
  BOOST_TEST(to_string(moved.result) == "moved");
}

BOOST_AUTO_TEST_CASE(a_recheck_that_turns_no_go_stops_the_move) {
  Hosts h;
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kNoGo));
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message == "re-check before moving: vm1: not moving to hostB: the verdict is no-go");
  BOOST_TEST(h.count(h.a, "migrate") == 0);

  Hosts h2;
  auto thrown = Migrator(h2.a, h2.b).run(h2.request(), kGo, []() -> MoveVerdict { throw Error("hostB: unreachable"); });
  BOOST_TEST(to_string(thrown.result) == "refused");
  BOOST_TEST(thrown.message == "vm1: the re-check before moving failed: hostB: unreachable");
  BOOST_TEST(h2.count(h2.a, "migrate") == 0);
}

BOOST_AUTO_TEST_CASE(preconditions_refuse_same_host_existing_copy_and_wrong_state) {
  Hosts h;
  auto request = h.request();
  request.destination = "hostA";
  BOOST_TEST(Migrator(h.a, h.b).run(request, kGo, same(kGo)).message ==
             "vm1: not moving: source and destination are the same host (hostA)");

  h.b.domains["vm1"] = DomainState::shutoff;
  BOOST_TEST(Migrator(h.a, h.b).run(h.request(), kGo, same(kGo)).message ==
             "vm1: not moving: hostB already has a domain of that name (shutoff)");

  Hosts h2;
  BOOST_TEST(Migrator(h2.a, h2.b).run(h2.request(MigrationMode::offline), kGo, same(kGo)).message ==
             "vm1: not moving: it is running on hostA; offline migration needs it shutoff");
  BOOST_TEST(h.count(h.a, "migrate") + h2.count(h2.a, "migrate") == 0);
}

BOOST_AUTO_TEST_CASE(a_failed_migration_aborts_and_resumes_a_paused_source) {
  Hosts h;
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains[vm] = DomainState::paused;  // the source was paused for the switch-over
    h.b.domains[vm] = DomainState::paused;  // and an incoming copy was left behind
    throw Error("hostA: migrating vm1: connection reset");
  };
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(to_string(*out.source_state) == "running");
  BOOST_TEST(out.message == "hostA: migrating vm1: connection reset; running on hostA, paused on hostB");
  BOOST_TEST(h.count(h.a, "abort") == 1);
  BOOST_TEST(h.count(h.a, "resume") == 1);
  BOOST_TEST(h.count(h.b, "resume") == 0);  // never a second running copy
}

BOOST_AUTO_TEST_CASE(after_the_switch_over_the_paused_source_is_not_resumed) {
  Hosts h;
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains[vm] = DomainState::paused;
    h.b.domains[vm] = DomainState::running;  // the destination already runs it
    throw Error("hostA: migrating vm1: confirm failed");
  };
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.running_on == "destination");
  BOOST_TEST(h.count(h.a, "resume") == 0);
}

BOOST_AUTO_TEST_CASE(an_unreachable_destination_still_leaves_the_vm_running_on_the_source) {
  Hosts h;
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains[vm] = DomainState::paused;
    h.b.unreachable = true;
    throw Error("hostA: migrating vm1: client socket is closed");
  };
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(!out.destination_state.has_value());
  BOOST_TEST(out.message ==
             "hostA: migrating vm1: client socket is closed; running on hostA, unknown (unreachable) on hostB");
}

BOOST_AUTO_TEST_CASE(quick_suspends_moves_resumes_and_recovers_when_the_move_fails) {
  Hosts h;
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::quick), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved");
  BOOST_TEST((h.a.calls == std::vector<std::string>{"state", "domain_xml", "suspend", "migrate", "state"}));
  BOOST_TEST(h.count(h.b, "resume") == 1);
  BOOST_TEST((h.a.last_call.kind == MigrationCall::Kind::stopped));

  Hosts f;
  f.a.on_migrate = [](const std::string&) { throw Error("hostA: migrating vm1: no space"); };
  auto failed = Migrator(f.a, f.b).run(f.request(MigrationMode::quick), kGo, same(kGo));
  BOOST_TEST(failed.running_on == "source");
  BOOST_TEST(to_string(f.a.domains["vm1"]) == "running");
}

BOOST_AUTO_TEST_CASE(a_verification_mismatch_is_a_failure) {
  Hosts h;
  h.a.on_migrate = [&](const std::string& vm) { h.b.domains[vm] = DomainState::running; };  // source copy remains
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.message.rfind("vm1: verification after the move failed: running on hostB (expected running), "
                               "running on hostA (expected absent)",
                               0) == 0);
  BOOST_TEST(out.running_on == "");
}

BOOST_AUTO_TEST_CASE(every_attempt_is_journaled) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-journal-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Journal journal(dir / "journal.jsonl");
  Hosts h;
  Migrator(h.a, h.b, &journal).run(h.request(), kNoGo, same(kGo));
  Migrator(h.a, h.b, &journal).run(h.request(), kGo, same(kGo));
  std::ifstream in(journal.path());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[0]["verdict"] == "no-go");
  BOOST_TEST(lines[0]["result"] == "refused");
  BOOST_TEST(lines[1]["result"] == "moved");
  BOOST_TEST(lines[1].contains("time"));
  BOOST_TEST(lines[1]["reasons"].is_array());
  BOOST_TEST(lines[1]["vm"] == "vm1");
  BOOST_TEST(lines[1]["mode"] == "live");
  BOOST_TEST(lines[1]["destination_state"] == "running");
  BOOST_TEST(lines[1]["timings_ms"].contains("total"));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(the_journal_line_holds_the_estimate_next_to_the_finished_jobs_figures) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-journal-real-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  Journal journal(dir / "journal.jsonl");
  Hosts h;
  CompletedJobStats done;
  done.total_ms = 4200;
  done.downtime_ms = 113;
  done.memory_processed_bytes = 68891443;
  done.iterations = 4;
  h.b.completed = done;
  MigrationRequest r = h.request();
  r.estimate = PlannedEstimate{8.1, 1600, {"an idle guest"}, 2, 67108864, 50};
  const MigrationOutcome out = Migrator(h.a, h.b, &journal).run(r, kGo, same(kGo));
  BOOST_TEST(out.completed_stats_from == "destination");

  // The source is asked when the destination kept nothing; a figure not reported is null.
  Hosts g;
  CompletedJobStats partial;
  partial.total_ms = 900;
  g.a.completed = partial;
  Migrator(g.a, g.b, &journal).run(g.request(), kGo, same(kGo));
  // Neither kept any: null, with why.
  Hosts n;
  Migrator(n.a, n.b, &journal).run(n.request(), kGo, same(kGo));
  // Refused: no job ran.
  Migrator(n.a, n.b, &journal).run(n.request(), kNoGo, same(kGo));

  std::ifstream in(journal.path());
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  const nlohmann::json& both = lines[0];
  BOOST_TEST(both["estimate"]["total_s"] == 8.1);
  BOOST_TEST(both["estimate"]["iterations"] == 2);
  BOOST_TEST(both["estimate"]["memory_bytes"] == 67108864.0);
  BOOST_TEST(both["real"]["total_s"] == 4.2);
  BOOST_TEST(both["real"]["downtime_ms"] == 113);
  BOOST_TEST(both["real"]["iterations"] == 4);
  BOOST_TEST(both["real"]["memory_bytes"] == 68891443);
  BOOST_TEST(both["real"]["from"] == "destination");
  BOOST_TEST(both["real_missing"] == "");
  BOOST_TEST(lines[1]["real"]["from"] == "source");
  BOOST_TEST(lines[1]["real"]["total_s"] == 0.9);
  BOOST_TEST(lines[1]["real"]["downtime_ms"].is_null());
  BOOST_TEST(lines[1]["estimate"].is_null());
  BOOST_TEST(lines[2]["real"].is_null());
  BOOST_TEST(lines[2]["real_missing"] ==
             "hostB keeps no completed job of vm1; hostA keeps no completed job of vm1");
  BOOST_TEST(lines[3]["real"].is_null());
  BOOST_TEST(lines[3]["real_missing"] == "no migration job finished: the move was refused");
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_offline_move_reads_no_job_figures) {
  Hosts h;
  h.a.domains["vm1"] = DomainState::shutoff;
  CompletedJobStats stale;
  stale.total_ms = 1;
  h.b.completed = stale;  // an older job's: not this move's
  const MigrationOutcome out = Migrator(h.a, h.b).run(h.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST(!out.completed_stats);
  BOOST_TEST(out.completed_stats_missing == "an offline move copies a definition, it runs no migration job");
}

BOOST_AUTO_TEST_CASE(journal_lines_of_parallel_moves_never_interleave) {
  const auto dir = std::filesystem::temp_directory_path() / ("preflight-journal-par-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const Journal journal(dir / "journal.jsonl");
  Hosts h;
  // Lines far longer than any stream buffer or PIPE_BUF: written in pieces, they would mix.
  constexpr int kThreads = 8, kLines = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      MigrationOutcome outcome;
      outcome.message = std::string(200 * 1024, static_cast<char>('a' + t));
      for (int i = 0; i < kLines; ++i) journal.append(h.request(), kGo, outcome);
    });
  }
  for (auto& t : threads) t.join();
  std::ifstream in(journal.path());
  std::map<char, int> per_thread;
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    BOOST_TEST_REQUIRE(!j.is_discarded(), "line " << lines + 1 << " is not one JSON object");
    const std::string m = j["message"];
    BOOST_TEST_REQUIRE(m.size() == 200u * 1024u);
    BOOST_TEST_REQUIRE(m.find_first_not_of(m[0]) == std::string::npos, "line " << lines + 1 << " mixes two moves");
    ++per_thread[m[0]];
  }
  BOOST_TEST(lines == kThreads * kLines);
  for (int t = 0; t < kThreads; ++t) BOOST_TEST(per_thread[static_cast<char>('a' + t)] == kLines);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(journal_default_path_follows_xdg_state_home) {
  setenv("XDG_STATE_HOME", "/var/tmp/state", 1);
  BOOST_TEST(Journal::default_path() == "/var/tmp/state/preflight/journal.jsonl");
  unsetenv("XDG_STATE_HOME");
  setenv("HOME", "/home/op", 1);
  BOOST_TEST(Journal::default_path() == "/home/op/.local/state/preflight/journal.jsonl");
}

BOOST_AUTO_TEST_CASE(plans_per_mode) {
  Hosts h;
  auto quick = plan_migration(h.request(MigrationMode::quick));
  BOOST_TEST(quick.steps.size() == 3u);
  auto offline = plan_migration(h.request(MigrationMode::offline));
  BOOST_TEST((offline.call.kind == MigrationCall::Kind::offline));
  BOOST_TEST((offline.destination_after == DomainState::shutoff));
  BOOST_TEST(plan_migration(h.request(MigrationMode::copy_storage)).call.copy_storage);
  auto lines = describe_plan(quick, h.request(MigrationMode::quick), h.a);
  BOOST_TEST((lines == std::vector<std::string>{"suspend vm1 on hostA", "migrate vm1 to qemu+tcp://hostB/system",
                                                "resume vm1 on hostB",
                                                "verify: vm1 running on hostB, absent from hostA, its guest CPU as "
                                                "it was on hostA"}));
  auto copy = h.request(MigrationMode::copy_storage);
  BOOST_TEST((describe_plan(plan_migration(copy), copy, h.a) ==
              std::vector<std::string>{"precreate on hostB the volume of each disk of vm1 that is copied: in the pool "
                                       "of the same name and directory, same name, capacity and format as on hostA",
                                       "migrate vm1 to qemu+tcp://hostB/system",
                                       "verify: vm1 running on hostB, absent from hostA, its guest CPU as it was on "
                                       "hostA"}));
  auto off = h.request(MigrationMode::offline);
  BOOST_TEST((offline.steps == std::vector<MigrationStep>{MigrationStep::precreate_volumes, MigrationStep::copy_volumes,
                                                          MigrationStep::migrate}));
  BOOST_TEST(!offline.call.copy_storage);
  BOOST_TEST((describe_plan(offline, off, h.a) ==
              std::vector<std::string>{
                  "precreate on hostB the volume of each disk of vm1 that is copied (each file disk with no volume at "
                  "its path on hostB): in the pool of the same name and directory, same name, capacity and format as "
                  "on hostA",
                  "copy the content of each precreated volume from hostA to hostB through libvirt storage streams "
                  "(virStorageVolDownload on hostA, virStorageVolUpload on hostB); the disk files stay on hostA: "
                  "preflight never deletes them, and VIR_MIGRATE_UNDEFINE_SOURCE removes only the definition",
                  "migrate vm1 to qemu+tcp://hostB/system",
                  "verify: vm1 shutoff on hostB, absent from hostA, its guest CPU as it was on hostA"}));
  BOOST_CHECK_THROW(parse_migration_mode("warp"), Error);
}

BOOST_AUTO_TEST_CASE(guest_cpu_losses_name_what_the_destination_does_not_give) {
  CpuDefinition planned;
  planned.mode = "custom";
  planned.model = "Haswell";
  planned.features = {{"avx2", "require"}, {"sse4.2", ""}, {"x2apic", "force"}, {"vmx", "disable"}, {"pcid", "optional"}};
  BOOST_TEST(guest_cpu_losses(planned, planned).empty());

  CpuDefinition more = planned;
  more.features.push_back({"aes", "require"});  // gained: not a loss
  BOOST_TEST(guest_cpu_losses(planned, more).empty());

  CpuDefinition fewer = planned;
  fewer.model = "qemu64";
  fewer.features = {{"avx2", "disable"}, {"x2apic", "require"}};
  BOOST_TEST((guest_cpu_losses(planned, fewer) ==
              std::vector<std::string>{"model Haswell became qemu64", "lost avx2", "lost sse4.2"}));

  CpuDefinition passthrough;
  passthrough.mode = "host-passthrough";
  BOOST_TEST((guest_cpu_losses(passthrough, CpuDefinition{}) ==
              std::vector<std::string>{"mode host-passthrough became (none)"}));
}

BOOST_AUTO_TEST_CASE(a_guest_cpu_that_lost_features_on_the_destination_fails_verification) {
  Hosts h;
  h.a.xml["vm1"] = FakeHost::guest_xml("vm1", "<feature policy='require' name='sse4.2'/>"
                                              "<feature policy='require' name='avx2'/>");
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains.erase(vm);
    h.b.domains[vm] = DomainState::running;
    // The destination's QEMU runs it without avx2 (libvirt marks it disabled).
    h.b.xml[vm] = FakeHost::guest_xml(vm, "<feature policy='require' name='sse4.2'/>"
                                          "<feature policy='disable' name='avx2'/>");
  };
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.message ==
             "vm1: verification after the move failed: the guest CPU on hostB is not the one it had on hostA: lost "
             "avx2; the guest may fail when it uses what it lost: move it back or restart it; absent on hostA, "
             "running on hostB");
  BOOST_TEST(out.running_on == "destination");  // it is not destroyed: it runs, and only there
  BOOST_TEST(h.count(h.b, "domain_xml") == 1);

  Hosts same_cpu;  // the default XML moves with the VM: as planned
  BOOST_TEST(to_string(Migrator(same_cpu.a, same_cpu.b).run(same_cpu.request(), kGo, same(kGo)).result) == "moved");
}

BOOST_AUTO_TEST_CASE(an_unreadable_guest_cpu_on_the_destination_is_not_a_verified_move) {
  Hosts h;
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains.erase(vm);
    h.b.domains[vm] = DomainState::running;
    h.b.xml[vm] = "<domain><name>vm1";  // truncated
  };
  auto out = Migrator(h.a, h.b).run(h.request(), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.message.rfind("vm1: verification after the move failed: cannot read its guest CPU on hostB: hostB vm1:",
                               0) == 0,
             out.message);
  BOOST_TEST(out.running_on == "destination");
}

namespace {

const std::string kQcowDisk =
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source file='/var/lib/libvirt/images/vm1.qcow2'/><target dev='vda' bus='virtio'/></disk>";

StorageVolume images_volume(const std::string& name) {
  return {"images", "/var/lib/libvirt/images", name, "/var/lib/libvirt/images/" + name, 16u << 20, "qcow2"};
}

// hostA runs vm1 with `devices`; its pool 'images' holds vm1.qcow2.
struct StorageHosts : Hosts {
  explicit StorageHosts(const std::string& devices = kQcowDisk) {
    a.xml["vm1"] = FakeHost::guest_xml("vm1", "", devices);
    a.volumes["/var/lib/libvirt/images/vm1.qcow2"] = images_volume("vm1.qcow2");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(copy_storage_precreates_each_copied_disk_on_the_destination_before_migrating) {
  StorageHosts h(kQcowDisk +
                 "<disk type='file' device='cdrom'><source file='/iso/tools.iso'/><target dev='hdc'/><readonly/></disk>"
                 "<disk type='file' device='disk'><source file='/shared/quorum.img'/><target dev='vdb'/><shareable/></disk>"
                 "<disk type='block' device='disk'><source dev='/dev/vg/data'/><target dev='vdc'/></disk>");
  std::vector<std::string> order;
  h.a.on_migrate = [&](const std::string& vm) {
    order = h.b.calls;  // what the destination had seen when the migration call came
    h.a.domains.erase(vm);
    h.b.domains[vm] = DomainState::running;
    h.b.xml[vm] = h.a.xml[vm];
  };
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::copy_storage), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST(h.a.last_call.copy_storage);
  // Only the qcow2: the read-only, shareable and block disks are not precreated.
  BOOST_TEST((order == std::vector<std::string>{"state", "create_volume /var/lib/libvirt/images/vm1.qcow2"}));
  BOOST_TEST_REQUIRE(h.b.volumes.count("/var/lib/libvirt/images/vm1.qcow2") == 1u);
  BOOST_TEST((h.b.volumes["/var/lib/libvirt/images/vm1.qcow2"] == images_volume("vm1.qcow2")));
  // QEMU writes the guest's disk into it: created as libvirt's precreation does (qcow2 metadata preallocated).
  BOOST_TEST((h.b.created_for["/var/lib/libvirt/images/vm1.qcow2"] == NewVolume::mirrored));
}

BOOST_AUTO_TEST_CASE(a_failed_copy_storage_move_deletes_the_volumes_it_precreated) {
  StorageHosts h;
  h.a.on_migrate = [](const std::string&) { throw Error("hostA: migrating vm1: operation aborted"); };
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::copy_storage), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(out.message == "hostA: migrating vm1: operation aborted; running on hostA, absent on hostB; deleted the "
                            "precreated volume /var/lib/libvirt/images/vm1.qcow2 on hostB");
  BOOST_TEST(h.b.volumes.empty());

  // A destination that kept a (paused) domain keeps the volume it may use.
  StorageHosts kept;
  kept.a.on_migrate = [&](const std::string& vm) {
    kept.b.domains[vm] = DomainState::paused;
    throw Error("hostA: migrating vm1: connection reset");
  };
  auto out2 = Migrator(kept.a, kept.b).run(kept.request(MigrationMode::copy_storage), kGo, same(kGo));
  BOOST_TEST(out2.running_on == "source");
  BOOST_TEST(kept.b.volumes.size() == 1u);
  BOOST_TEST(out2.message.find("kept the precreated volume /var/lib/libvirt/images/vm1.qcow2 on hostB: the domain is "
                               "paused there") != std::string::npos,
             out2.message);
}

BOOST_AUTO_TEST_CASE(copy_storage_refuses_a_disk_in_no_pool_and_never_overwrites_one) {
  StorageHosts outside(
      "<disk type='file' device='disk'><source file='/srv/vm1.raw'/><target dev='vda'/></disk>");
  auto out = Migrator(outside.a, outside.b).run(outside.request(MigrationMode::copy_storage), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message == "vm1: not moving: disk vda (/srv/vm1.raw) is in no storage pool on hostA, so it cannot be "
                            "precreated on hostB; define a pool for its directory on both hosts");

  StorageHosts exists;
  exists.b.volumes["/var/lib/libvirt/images/vm1.qcow2"] = images_volume("vm1.qcow2");
  auto out2 = Migrator(exists.a, exists.b).run(exists.request(MigrationMode::copy_storage), kGo, same(kGo));
  BOOST_TEST(to_string(out2.result) == "refused");
  BOOST_TEST(out2.message == "vm1: not moving: hostB already has /var/lib/libvirt/images/vm1.qcow2 (pool images); "
                             "preflight does not overwrite a disk");
  BOOST_TEST(exists.count(exists.a, "migrate") + outside.count(outside.a, "migrate") == 0);
  BOOST_TEST(exists.b.volumes.size() == 1u);  // untouched
}

namespace {

// hostA has vm1 shut off with the qcow2 disk of StorageHosts, its content `data`.
struct OfflineHosts : StorageHosts {
  explicit OfflineHosts(const std::string& devices = kQcowDisk) : StorageHosts(devices) {
    a.domains["vm1"] = DomainState::shutoff;
    a.contents["/var/lib/libvirt/images/vm1.qcow2"] = data;
  }
  // Larger than the migrator's chunk, so that it is copied in several.
  std::string data = std::string(3u << 20, 'Z') + "end";
};

StorageVolume nfs_volume(const std::string& server) {
  StorageVolume v = images_volume("vm1.qcow2");
  v.pool_type = "netfs";
  v.pool_source.hosts = {server};
  v.pool_source.dir = "/export/images";
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(offline_copies_each_disk_the_destination_lacks_before_moving_the_definition) {
  OfflineHosts h(kQcowDisk +
                 "<disk type='file' device='cdrom'><source file='/iso/tools.iso'/><target dev='hdc'/><readonly/></disk>"
                 "<disk type='block' device='disk'><source dev='/dev/vg/data'/><target dev='vdc'/></disk>");
  std::vector<std::string> order;
  std::vector<MigrationEvent::Phase> phases;
  h.a.on_migrate = [&](const std::string& vm) {
    order = h.b.calls;
    h.a.domains.erase(vm);
    h.b.domains[vm] = DomainState::shutoff;
    h.b.xml[vm] = h.a.xml[vm];
  };
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::offline), kGo, same(kGo),
                                    [&](const MigrationEvent& e) { phases.push_back(e.phase); });
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST((h.a.last_call.kind == MigrationCall::Kind::offline));
  BOOST_TEST(!h.a.last_call.copy_storage);  // libvirt refuses OFFLINE with NON_SHARED_DISK
  const std::string disk = "/var/lib/libvirt/images/vm1.qcow2";
  BOOST_TEST((order == std::vector<std::string>{"state", "create_volume " + disk, "write_volume " + disk,
                                                "finish_write " + disk}));
  BOOST_TEST(h.count(h.a, "read_volume " + disk) == 1);
  BOOST_TEST((h.b.created_for[disk] == NewVolume::copied));  // its file is replaced: created as small as it can be
  BOOST_TEST(h.b.contents[disk] == h.data);
  BOOST_TEST(h.a.volumes.count(disk) == 1u);  // the source's disk is never deleted
  BOOST_TEST(h.a.contents[disk] == h.data);
  BOOST_TEST((std::find(phases.begin(), phases.end(), MigrationEvent::Phase::copying) != phases.end()));
  BOOST_TEST(to_string(MigrationEvent::Phase::copying) == "copying");
}

BOOST_AUTO_TEST_CASE(a_failed_offline_copy_deletes_the_volume_and_leaves_the_vm_shut_off_on_the_source) {
  OfflineHosts h;
  h.b.fail_write = true;
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(out.message == "hostB: writing /var/lib/libvirt/images/vm1.qcow2: no space left on device; shutoff on "
                            "hostA, absent on hostB; deleted the precreated volume /var/lib/libvirt/images/vm1.qcow2 "
                            "on hostB");
  BOOST_TEST(h.count(h.a, "migrate") == 0);
  BOOST_TEST(h.b.volumes.empty());
  BOOST_TEST(to_string(h.a.domains["vm1"]) == "shutoff");
  BOOST_TEST(h.a.contents["/var/lib/libvirt/images/vm1.qcow2"] == h.data);

  // The definition move failing after the copy: the copy goes, the source stays.
  OfflineHosts m;
  m.a.on_migrate = [](const std::string&) { throw Error("hostA: migrating vm1: connection reset"); };
  auto out2 = Migrator(m.a, m.b).run(m.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(out2.running_on == "source");
  BOOST_TEST(m.b.volumes.empty());
  BOOST_TEST(m.a.volumes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ctrl_c_during_an_offline_copy_stops_the_copy_and_leaves_the_vm_defined_on_the_source) {
  OfflineHosts h;
  const std::string disk = "/var/lib/libvirt/images/vm1.qcow2";
  // Ctrl-C arrives once the transfer to the destination is open.
  Migrator::Options options;
  size_t asked_while_copying = 0;
  options.interrupted = [&] {
    const bool copying = h.count(h.b, "write_volume " + disk) == 1;
    asked_while_copying += copying;
    return copying;
  };
  auto out = Migrator(h.a, h.b, nullptr, options).run(h.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(asked_while_copying == 1u);  // asked between chunks, and the first answer stopped it
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(out.message.rfind("vm1: interrupted while copying " + disk + " to hostB; the copy was stopped", 0) == 0,
             out.message);
  BOOST_TEST(h.count(h.b, "finish_write " + disk) == 0);  // the transfer was abandoned, not finished
  BOOST_TEST(h.count(h.a, "migrate") == 0);
  BOOST_TEST(h.b.volumes.empty());  // the precreated copy is deleted
  BOOST_TEST(to_string(h.a.domains["vm1"]) == "shutoff");  // still defined on the source
  BOOST_TEST(h.b.domains.count("vm1") == 0u);
  BOOST_TEST(h.a.contents[disk] == h.data);
}

// Moves vm1 offline onto a destination whose new volume comes with `stored` stale
// bytes ('S', what the storage held before) and checks what it holds after the copy:
// the image, then zeros only.
namespace {

void copy_leaves_no_stale_bytes(OfflineHosts& h, const std::string& disk, size_t stored) {
  h.b.stale_on_create = std::string(stored, 'S');
  h.a.on_migrate = [&](const std::string& vm) {
    h.a.domains.erase(vm);
    h.b.domains[vm] = DomainState::shutoff;
    h.b.xml[vm] = h.a.xml[vm];
  };
  auto out = Migrator(h.a, h.b).run(h.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  const std::string& copy = h.b.contents[disk];
  BOOST_TEST(copy.size() == stored);
  BOOST_TEST(copy.substr(0, h.data.size()) == h.data);
  BOOST_TEST(copy.find('S') == std::string::npos, "stale bytes left past the image's end");
  BOOST_TEST(copy.find_first_not_of('\0', h.data.size()) == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_raw_destination_volume_larger_than_the_image_keeps_no_stale_bytes_past_its_end) {
  OfflineHosts h;
  const std::string disk = "/var/lib/libvirt/images/vm1.qcow2";
  h.a.volumes[disk].format = "raw";
  const std::uint64_t capacity = h.a.volumes[disk].capacity_bytes;  // 16 MiB; the image is 3 MiB
  BOOST_TEST_REQUIRE(capacity > h.data.size());
  copy_leaves_no_stale_bytes(h, disk, capacity);
}

// A qcow2's file past the image's end is not guest-visible, but a destination
// volume stored longer than the image (its own header and tables, or space it got
// from storage used before) must not keep what it held there either.
BOOST_AUTO_TEST_CASE(a_qcow2_destination_volume_stored_longer_than_the_image_keeps_no_stale_bytes_past_its_end) {
  OfflineHosts h;
  const std::string disk = "/var/lib/libvirt/images/vm1.qcow2";
  BOOST_TEST_REQUIRE(h.a.volumes[disk].format == "qcow2");
  copy_leaves_no_stale_bytes(h, disk, h.data.size() + (1u << 20) + 5);  // longer than the image, not a multiple of the chunk
}

BOOST_AUTO_TEST_CASE(offline_takes_the_same_shared_storage_as_shared_and_refuses_any_other_volume) {
  // The same NFS export at the same path on both hosts: one file, nothing copied.
  OfflineHosts shared;
  shared.a.volumes["/var/lib/libvirt/images/vm1.qcow2"] = nfs_volume("nas1");
  shared.b.volumes["/var/lib/libvirt/images/vm1.qcow2"] = nfs_volume("nas1");
  auto out = Migrator(shared.a, shared.b).run(shared.request(MigrationMode::offline), kGo, same(kGo));
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST(shared.count(shared.b, "create_volume /var/lib/libvirt/images/vm1.qcow2") == 0);
  BOOST_TEST(shared.count(shared.a, "read_volume /var/lib/libvirt/images/vm1.qcow2") == 0);

  // Another export, or a local (dir pool) file: a conflict, never overwritten.
  for (const StorageVolume& there : {nfs_volume("nas2"), images_volume("vm1.qcow2")}) {
    OfflineHosts h;
    h.a.volumes["/var/lib/libvirt/images/vm1.qcow2"] = nfs_volume("nas1");
    h.b.volumes["/var/lib/libvirt/images/vm1.qcow2"] = there;
    auto o = Migrator(h.a, h.b).run(h.request(MigrationMode::offline), kGo, same(kGo));
    BOOST_TEST(to_string(o.result) == "refused");
    BOOST_TEST(o.message == "vm1: not moving: hostB already has /var/lib/libvirt/images/vm1.qcow2 (pool images), not "
                            "on storage shared with hostA; preflight does not overwrite a disk");
    BOOST_TEST(h.count(h.a, "migrate") == 0);
  }
  // Both local dir pools: the destination's file is another disk.
  OfflineHosts local;
  local.b.volumes["/var/lib/libvirt/images/vm1.qcow2"] = images_volume("vm1.qcow2");
  BOOST_TEST(to_string(Migrator(local.a, local.b).run(local.request(MigrationMode::offline), kGo, same(kGo)).result) ==
             "refused");
}
