// The evacuation job (lib/migrate/evacuate_job.hpp) as a library call: a plan is
// carried out against in-memory hosts, with the events, records, journal and exit
// status an operator sees.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "migrate/evacuate_job.hpp"
#include "report/evacuation_report.hpp"
#include "support/fake_host.hpp"
#include "support/journal_lines.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::FakeHost;
using preflight::test::TempDir;

using preflight::test::journal_lines;

namespace {

const MoveVerdict kGo{MoveVerdictKind::go, {}};
const MoveVerdict kNoGo{MoveVerdictKind::no_go, {"cpu.features: hostC lacks avx512f"}};

struct Fleet {
  FakeHost a{"hostA"}, b{"hostB"}, c{"hostC"};
  Inventory inv;
  Evacuation e;
  MigrateOptions o;
  std::map<std::string, MoveVerdict> recheck_says;  // by VM; default go

  Fleet() {
    for (const char* n : {"hostA", "hostB", "hostC"}) {
      InventoryHost h;
      h.name = n;
      h.libvirt = std::string("qemu+tcp://") + n + "/system";
      inv.hosts.push_back(h);
    }
    a.peers_by_uri = {{"qemu+tcp://hostB/system", &b}, {"qemu+tcp://hostC/system", &c}};
    for (const char* vm : {"vm1", "vm2", "vm3"}) a.domains[vm] = DomainState::running;
    o.evacuate = "hostA";
    e.source = &inv.hosts[0];
    e.plan.source = "hostA";
    e.plan.vms = {placed("vm1", "hostB"), placed("vm2", "hostC"), VmPlacement{"vm3", "running", 1 << 20}};
    e.plan.vms[2].why = "no host has room";
    e.plan.move_order = {0, 1};
    e.limits = {{"hostA", {1, "--concurrency"}}, {"hostB", {1, "--concurrency"}}, {"hostC", {1, "--concurrency"}}};
  }

  static VmPlacement placed(const std::string& vm, const std::string& to) {
    VmPlacement p{vm, "running", 1 << 20};
    p.placement = Placement::placed;
    p.destination = to;
    p.chosen.verdict = kGo;
    return p;
  }

  FakeHost& host(const std::string& name) { return name == "hostA" ? a : name == "hostB" ? b : c; }

  EvacuationDrivers drivers(std::function<bool()> interrupted = {}) {
    EvacuationDrivers d;
    d.connect = [this](const InventoryHost& h) -> std::shared_ptr<Hypervisor> {
      if (h.name == "hostC" && c.unreachable) throw Error("qemu+tcp://hostC/system: cannot connect");
      return std::shared_ptr<Hypervisor>(&host(h.name), [](Hypervisor*) {});  // not owned
    };
    d.recheck = [this](const VmPlacement& p, const InventoryHost&) {
      return recheck_says.count(p.vm) ? recheck_says.at(p.vm) : kGo;
    };
    d.interrupted = std::move(interrupted);
    return d;
  }
};

// Records what the job reported, in order.
struct Recorded final : EvacuationEvents {
  std::vector<std::string> lines;
  void started(const MigrationRequest& r, double) override { lines.push_back("start " + r.vm); }
  void progress(const MigrationRequest&, const MigrationEvent&, double) override {}
  void ended(const MigrationRequest& r, const MoveVerdict&, const MoveRecord& rec) override {
    lines.push_back("end " + r.vm + " " + to_string(rec.outcome.result));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_planned_moves_run_in_order_and_the_unplaced_vm_stays) {
  Fleet f;
  Recorded events;
  const TempDir dir("preflight-evacuate-job");
  const Journal journal(dir.path / "journal.jsonl");
  const auto records = execute_evacuation(f.inv, f.o, f.e, f.drivers(), events, &journal);
  BOOST_TEST(events.lines == (std::vector<std::string>{"start vm1", "end vm1 moved", "start vm2", "end vm2 moved"}),
             boost::test_tools::per_element());
  BOOST_TEST(evacuation_result(f.e.plan.vms[0], &records[0]) == "moved");
  BOOST_TEST(evacuation_result(f.e.plan.vms[1], &records[1]) == "moved");
  BOOST_TEST(evacuation_result(f.e.plan.vms[2], &records[2]) == "unplaced");
  BOOST_TEST(f.b.domains.count("vm1") == 1u);
  BOOST_TEST(f.c.domains.count("vm2") == 1u);
  BOOST_TEST(to_string(f.a.domains.at("vm3")) == "running");
  BOOST_TEST(evacuation_exit_status(f.e.plan, &records) == 1);  // vm3 has no target
  const auto lines = journal_lines(journal.path());
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[0]["vm"] == "vm1");
  BOOST_TEST(lines[0]["result"] == "moved");
  BOOST_TEST(lines[1]["destination"] == "hostC");
  const std::string report = evacuation_report_text(f.e, records);
  BOOST_TEST(report.rfind("preflight migrate --evacuate hostA: 2 of 3 VMs moved\n", 0) == 0, report);
}

BOOST_AUTO_TEST_CASE(a_move_the_recheck_refuses_stays_on_the_source) {
  Fleet f;
  f.recheck_says["vm2"] = kNoGo;
  Recorded events;
  const auto records = execute_evacuation(f.inv, f.o, f.e, f.drivers(), events, nullptr);
  BOOST_TEST(evacuation_result(f.e.plan.vms[0], &records[0]) == "moved");
  BOOST_TEST(evacuation_result(f.e.plan.vms[1], &records[1]) == "refused");
  BOOST_TEST(to_string(f.a.domains.at("vm2")) == "running");
  BOOST_TEST(f.c.domains.count("vm2") == 0u);
  const nlohmann::json j = evacuation_report_json(f.e, records, evacuation_exit_status(f.e.plan, &records));
  BOOST_TEST(j["counts"]["moved"] == 1);
  BOOST_TEST(j["counts"]["refused"] == 1);
  BOOST_TEST(j["exit_code"] == 1);
}

BOOST_AUTO_TEST_CASE(an_unreachable_destination_is_a_refusal_that_is_journaled) {
  Fleet f;
  f.c.unreachable = true;
  Recorded events;
  const TempDir dir("preflight-evacuate-job");
  const Journal journal(dir.path / "journal.jsonl");
  const auto records = execute_evacuation(f.inv, f.o, f.e, f.drivers(), events, &journal);
  BOOST_TEST(evacuation_result(f.e.plan.vms[1], &records[1]) == "refused");
  BOOST_TEST(records[1].outcome.message == "vm2: not moving to hostC: qemu+tcp://hostC/system: cannot connect");
  BOOST_TEST(to_string(f.a.domains.at("vm2")) == "running");
  const auto lines = journal_lines(journal.path());
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[1]["result"] == "refused");
}

BOOST_AUTO_TEST_CASE(after_an_interruption_no_move_starts) {
  Fleet f;
  Recorded events;
  const auto records = execute_evacuation(f.inv, f.o, f.e, f.drivers([] { return true; }), events, nullptr);
  BOOST_TEST(events.lines.empty());
  BOOST_TEST(evacuation_result(f.e.plan.vms[0], &records[0]) == "not started");
  BOOST_TEST(f.a.calls.empty());
  BOOST_TEST(evacuation_exit_status(f.e.plan, &records) == 1);
  BOOST_TEST(evacuation_exit_status(f.e.plan, nullptr) == 1);  // a dry run: vm3 has no target either way
}
