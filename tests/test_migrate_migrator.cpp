// The migrator's safety rules against a scripted in-memory hypervisor pair: what
// it refuses, what it calls, and how it recovers from each kind of failure.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "migrate/journal.hpp"
#include "migrate/migration_plan.hpp"
#include "migrate/migrator.hpp"

using namespace preflight;

namespace {

// One host with a table of domain states; every call is recorded. Hooks make a
// verb fail or change the states the way a real hypervisor would.
class FakeHost : public Hypervisor {
 public:
  explicit FakeHost(std::string name) : name_(std::move(name)) {}
  std::map<std::string, DomainState> domains;
  std::vector<std::string> calls;
  FakeHost* peer = nullptr;
  std::function<void(const std::string&)> on_migrate;  // throws to fail; default: moves the VM to peer
  bool unreachable = false;

  std::string name() const override { return name_; }
  DomainState state(const std::string& vm) override {
    calls.push_back("state");
    if (unreachable) throw Error(name_ + ": cannot connect");
    auto it = domains.find(vm);
    return it == domains.end() ? DomainState::absent : it->second;
  }
  void start(const std::string&) override { calls.push_back("start"); }
  void destroy(const std::string& vm) override { domains.erase(vm); }
  void suspend(const std::string& vm) override {
    calls.push_back("suspend");
    domains[vm] = DomainState::paused;
  }
  void resume(const std::string& vm) override {
    calls.push_back("resume");
    if (unreachable) throw Error(name_ + ": cannot connect");
    domains[vm] = DomainState::running;
  }
  void migrate(const std::string& vm, const std::string&, const MigrationCall& call) override {
    calls.push_back("migrate");
    last_call = call;
    if (on_migrate) return on_migrate(vm);
    peer->domains[vm] = domains[vm];
    domains.erase(vm);
  }
  std::string describe_migrate(const std::string& vm, const std::string& uri, const MigrationCall&) const override {
    return "migrate " + vm + " to " + uri;
  }
  void abort_job(const std::string&) override { calls.push_back("abort"); }
  JobStats job_stats(const std::string&) override { return {}; }
  MigrationCall last_call;

 private:
  std::string name_;
};

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

  h.b.domains["vm1"] = DomainState::shut_off;
  BOOST_TEST(Migrator(h.a, h.b).run(h.request(), kGo, same(kGo)).message ==
             "vm1: not moving: hostB already has a domain of that name (shut off)");

  Hosts h2;
  BOOST_TEST(Migrator(h2.a, h2.b).run(h2.request(MigrationMode::offline), kGo, same(kGo)).message ==
             "vm1: not moving: it is running on hostA; offline migration needs it shut off");
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
  BOOST_TEST((h.a.calls == std::vector<std::string>{"state", "suspend", "migrate", "state"}));
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
  BOOST_TEST(lines[0]["outcome"] == "refused");
  BOOST_TEST(lines[1]["outcome"] == "moved");
  BOOST_TEST(lines[1]["vm"] == "vm1");
  BOOST_TEST(lines[1]["mode"] == "live");
  BOOST_TEST(lines[1]["destination_state"] == "running");
  BOOST_TEST(lines[1]["timings_ms"].contains("total"));
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
  BOOST_TEST((offline.destination_after == DomainState::shut_off));
  BOOST_TEST(plan_migration(h.request(MigrationMode::copy_storage)).call.copy_storage);
  auto lines = describe_plan(quick, h.request(MigrationMode::quick), h.a);
  BOOST_TEST((lines == std::vector<std::string>{"suspend vm1 on hostA", "migrate vm1 to qemu+tcp://hostB/system",
                                                "resume vm1 on hostB",
                                                "verify: vm1 running on hostB, absent from hostA"}));
  BOOST_CHECK_THROW(parse_migration_mode("warp"), Error);
}
