// The single move of `preflight migrate VM DEST` (lib/migrate/move_job.hpp) as a
// library call against in-memory hosts: what it reports, what it journals, where
// the VM ends up and the exit status an operator sees.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "migrate/move_job.hpp"
#include "migrate/move_request.hpp"
#include "report/move_report.hpp"
#include "support/fake_host.hpp"
#include "support/journal_lines.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::FakeHost;
using preflight::test::TempDir;

using preflight::test::journal_lines;

namespace {

const MoveVerdict kGo{MoveVerdictKind::go, {}};
const MoveVerdict kWarn{MoveVerdictKind::warn, {"migrate.downtime: about 900 ms"}};
const MoveVerdict kNoGo{MoveVerdictKind::no_go, {"cpu.features: hostB lacks avx512f"}};
const MoveVerdict kUndecided{MoveVerdictKind::undecided, {"storage.shared: pool 'images' unknown on hostB"}};

// vm1 running on hostA, to be moved to hostB.
struct Pair {
  FakeHost a{"hostA"}, b{"hostB"};
  Inventory inv;
  MigrateOptions o;
  int connects = 0;
  MoveVerdict recheck_says = kGo;

  Pair() {
    for (const char* n : {"hostA", "hostB"}) {
      InventoryHost h;
      h.name = n;
      h.libvirt = std::string("qemu+tcp://") + n + "/system";
      inv.hosts.push_back(h);
    }
    a.peers_by_uri = {{"qemu+tcp://hostB/system", &b}};
    a.domains["vm1"] = DomainState::running;
    o.vm = "vm1";
    o.destination = "hostB";
  }

  // The move as check_single_move would make it, with `verdict`.
  CheckedMove checked(const MoveVerdict& verdict) const {
    CheckedMove m;
    m.check.source = &inv.hosts[0];
    m.check.destination = &inv.hosts[1];
    m.request = make_request(o, o.vm, inv.hosts[0], inv.hosts[1]);
    m.verdict = verdict;
    m.may_move = may_move(verdict, o.accept_warnings);
    return m;
  }

  FakeHost& host(const std::string& name) { return name == "hostA" ? a : b; }

  MoveDrivers drivers(std::function<bool()> interrupted = {}) {
    MoveDrivers d;
    d.connect = [this](const InventoryHost& h) -> std::shared_ptr<Hypervisor> {
      ++connects;
      return std::shared_ptr<Hypervisor>(&host(h.name), [](Hypervisor*) {});  // not owned
    };
    d.recheck = [this] { return recheck_says; };
    d.interrupted = std::move(interrupted);
    return d;
  }
};

// Records the phases reported, in order.
struct Recorded final : MoveEvents {
  std::mutex mutex;
  std::vector<std::string> phases;
  void progress(const MigrationEvent& event) override {
    std::lock_guard lock(mutex);
    if (phases.empty() || phases.back() != to_string(event.phase)) phases.push_back(to_string(event.phase));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_go_move_is_made_reported_and_journaled) {
  Pair p;
  Recorded events;
  const TempDir dir("preflight-move-job");
  const Journal journal(dir.path / "journal.jsonl");
  const CheckedMove m = p.checked(kGo);
  const MigrationOutcome out = execute_single_move(m, p.drivers(), events, &journal);
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST(out.running_on == "destination");
  BOOST_TEST(p.b.domains.count("vm1") == 1u);
  BOOST_TEST(p.a.domains.count("vm1") == 0u);
  BOOST_TEST(p.connects == 2);
  BOOST_TEST_REQUIRE(!events.phases.empty());
  BOOST_TEST(events.phases.front() == "rechecking");
  BOOST_TEST(std::count(events.phases.begin(), events.phases.end(), "verifying") == 1);
  BOOST_TEST(single_move_exit_status(m, &out) == 0);
  const auto lines = journal_lines(journal.path());
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0]["vm"] == "vm1");
  BOOST_TEST(lines[0]["destination"] == "hostB");
  BOOST_TEST(lines[0]["result"] == "moved");
  const std::string text = outcome_text(m.request, out);
  BOOST_TEST(text.rfind("preflight migrate: vm1 from hostA to hostB (live): MOVED", 0) == 0, text);
}

BOOST_AUTO_TEST_CASE(a_no_go_move_connects_to_no_host_and_is_journaled_as_refused) {
  Pair p;
  Recorded events;
  const TempDir dir("preflight-move-job");
  const Journal journal(dir.path / "journal.jsonl");
  const CheckedMove m = p.checked(kNoGo);
  BOOST_TEST(!m.may_move);
  const MigrationOutcome out = execute_single_move(m, p.drivers(), events, &journal);
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.reasons == kNoGo.reasons, boost::test_tools::per_element());
  BOOST_TEST(p.connects == 0);
  BOOST_TEST(p.a.calls.empty());
  BOOST_TEST(p.b.calls.empty());
  BOOST_TEST(to_string(p.a.domains.at("vm1")) == "running");
  BOOST_TEST(events.phases.empty());
  BOOST_TEST(single_move_exit_status(m, &out) == 1);
  const auto lines = journal_lines(journal.path());
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0]["result"] == "refused");
  BOOST_TEST(lines[0]["verdict"] == "no-go");
}

BOOST_AUTO_TEST_CASE(a_move_the_check_could_not_decide_is_refused_with_exit_2) {
  Pair p;
  Recorded events;
  const CheckedMove m = p.checked(kUndecided);
  const MigrationOutcome out = execute_single_move(m, p.drivers(), events, nullptr);
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(p.connects == 0);
  BOOST_TEST(single_move_exit_status(m, &out) == 2);
  BOOST_TEST(single_move_exit_status(m, nullptr) == 2);  // a dry run of it too
}

BOOST_AUTO_TEST_CASE(a_warning_moves_only_when_accepted) {
  Pair p;
  BOOST_TEST(!p.checked(kWarn).may_move);
  p.o.accept_warnings = true;
  const CheckedMove m = p.checked(kWarn);
  BOOST_TEST(m.may_move);
  BOOST_TEST(single_move_exit_status(m, nullptr) == 0);  // a dry run would move
  Recorded events;
  const MigrationOutcome out = execute_single_move(m, p.drivers(), events, nullptr);
  BOOST_TEST(to_string(out.result) == "moved", out.message);
  BOOST_TEST(p.b.domains.count("vm1") == 1u);
}

BOOST_AUTO_TEST_CASE(a_move_the_recheck_refuses_makes_no_migration_call) {
  Pair p;
  p.recheck_says = kNoGo;
  Recorded events;
  const CheckedMove m = p.checked(kGo);
  const MigrationOutcome out = execute_single_move(m, p.drivers(), events, nullptr);
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message.rfind("re-check before moving: ", 0) == 0, out.message);
  BOOST_TEST(std::count(p.a.calls.begin(), p.a.calls.end(), "migrate") == 0);
  BOOST_TEST(to_string(p.a.domains.at("vm1")) == "running");
  BOOST_TEST(p.b.domains.count("vm1") == 0u);
  BOOST_TEST(single_move_exit_status(m, &out) == 1);
}

BOOST_AUTO_TEST_CASE(a_move_interrupted_before_it_starts_is_refused) {
  Pair p;
  Recorded events;
  const CheckedMove m = p.checked(kGo);
  const MigrationOutcome out = execute_single_move(m, p.drivers([] { return true; }), events, nullptr);
  BOOST_TEST(to_string(out.result) == "refused");
  BOOST_TEST(out.message == "vm1: the re-check before moving failed: vm1: interrupted before moving");
  BOOST_TEST(std::count(p.a.calls.begin(), p.a.calls.end(), "migrate") == 0);
  BOOST_TEST(to_string(p.a.domains.at("vm1")) == "running");
  BOOST_TEST(single_move_exit_status(m, &out) == 1);
}

namespace {

// A source whose migration job runs until it is aborted.
struct MigratingHost final : FakeHost {
  using FakeHost::FakeHost;
  std::promise<void> aborted;
  std::atomic<bool> abort_seen{false};
  JobStats job_stats(const std::string&) override {
    JobStats s;
    s.active = true;
    return s;
  }
  void abort_job(const std::string&) override {
    if (abort_seen.exchange(true)) return;
    calls.push_back("abort");
    aborted.set_value();
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_move_interrupted_while_migrating_is_aborted_and_the_vm_stays) {
  MigratingHost source("hostA");
  FakeHost destination("hostB");
  Pair p;
  source.domains["vm1"] = DomainState::running;
  std::atomic<bool> interrupted{false};
  std::future<void> aborted = source.aborted.get_future();
  source.on_migrate = [&](const std::string& vm) {
    interrupted = true;  // Ctrl-C while the job runs
    // Bounded only so that a broken abort fails the test instead of hanging it.
    if (aborted.wait_for(std::chrono::minutes(2)) != std::future_status::ready)
      throw Error(vm + ": the job was never aborted");
    throw Error(vm + ": operation aborted: migration out job: canceled by client");
  };
  MoveDrivers d;
  d.connect = [&](const InventoryHost& h) -> std::shared_ptr<Hypervisor> {
    Hypervisor* host = h.name == "hostA" ? static_cast<Hypervisor*>(&source) : &destination;
    return std::shared_ptr<Hypervisor>(host, [](Hypervisor*) {});
  };
  d.recheck = [] { return kGo; };
  d.interrupted = [&] { return interrupted.load(); };
  Recorded events;
  const CheckedMove m = p.checked(kGo);
  const MigrationOutcome out = execute_single_move(m, d, events, nullptr);
  BOOST_TEST(to_string(out.result) == "failed");
  BOOST_TEST(out.message.find("canceled by client") != std::string::npos, out.message);
  BOOST_TEST(std::count(source.calls.begin(), source.calls.end(), "abort") == 1);
  BOOST_TEST(to_string(source.domains.at("vm1")) == "running");
  BOOST_TEST(destination.domains.count("vm1") == 0u);
  BOOST_TEST(out.running_on == "source");
  BOOST_TEST(std::count(events.phases.begin(), events.phases.end(), "migrating") == 1);
  BOOST_TEST(single_move_exit_status(m, &out) == 1);
}
