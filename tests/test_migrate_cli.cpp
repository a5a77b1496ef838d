// End to end: `preflight migrate` on the demo lab (libvirt test-driver hosts: dry
// runs and refusals, nothing moves) and, where the two-host lab can run, one real
// move through the CLI.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "migrate/libvirt_hypervisor.hpp"
#include "support/lab.hpp"
#include "support/lab_available.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::TempDir;
using preflight::test::fixture;
using preflight::test::Lab;
using preflight::test::run_preflight;

namespace {

std::vector<std::string> migrate(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "migrate"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_dry_run_with_accepted_warnings_prints_the_plan_and_the_libvirt_call) {
  TempDir state("preflight-migrate-dry");
  const auto r = run_preflight(migrate({"web1", "hostB", "--dry-run", "--accept-warnings", "--max-downtime", "300",
                                        "--bandwidth", "100"}),
                               {"XDG_STATE_HOME=" + state.path.string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "preflight migrate --dry-run: web1 from hostA to hostB (live)"), r.out);
  BOOST_TEST(contains(r.out, "plan:\n  1. virDomainMigrateSetMaxDowntime(web1, 300); virDomainMigrateToURI3(web1 on test://"),
             r.out);
  BOOST_TEST(contains(r.out, "{bandwidth=100}"), r.out);
  BOOST_TEST(contains(r.out, "libvirt call: "), r.out);
  BOOST_TEST(contains(r.out, "VIR_MIGRATE_PEER2PEER"), r.out);
  BOOST_TEST(contains(r.out, "verify: web1 running on hostB, absent from hostA"), r.out);
  BOOST_TEST(contains(r.out, "estimate: "), r.out);
  // The move's own cap: web1's 4 GiB at 100 MiB/s is over 40 s, so the timeout is over 110 s.
  BOOST_TEST(contains(r.out, "\n  assumed: a 1 Gbit/s link, an idle guest, all memory in use\n"), r.out);
  BOOST_TEST(contains(r.out, "suggested --timeout: 120 s (twice the estimate plus 30 s)"), r.out);
  BOOST_TEST(contains(r.out, "dry run: nothing was moved"), r.out);
  // A dry run is not an attempt: no journal.
  BOOST_TEST(!std::filesystem::exists(state.path / "preflight" / "journal.jsonl"));

  const auto quick = run_preflight(migrate({"web1", "hostB", "--dry-run", "--accept-warnings", "--mode", "quick"}));
  BOOST_TEST(quick.exit_code == 0, quick.err);
  BOOST_TEST(contains(quick.out, "1. suspend web1 on hostA"), quick.out);
  BOOST_TEST(contains(quick.out, "3. resume web1 on hostB"), quick.out);

  const auto copy =
      run_preflight(migrate({"web1", "hostB", "--dry-run", "--accept-warnings", "--mode", "copy-storage"}));
  BOOST_TEST(copy.exit_code == 0, copy.err);
  BOOST_TEST(contains(copy.out, "1. precreate on hostB the volume of each disk of web1 that is copied"), copy.out);
  BOOST_TEST(contains(copy.out, "VIR_MIGRATE_NON_SHARED_DISK"), copy.out);

  const auto json = run_preflight(migrate({"web1", "hostB", "--dry-run", "--accept-warnings", "-o", "json"}));
  BOOST_TEST(json.exit_code == 0, json.err);
  const auto j = nlohmann::json::parse(json.out);
  BOOST_TEST(j["event"] == "plan");
  BOOST_TEST((j["verdict"] == "go" || j["verdict"] == "warn"));  // go here; warn where hostA's firmware differs
  BOOST_TEST(j["plan"].size() == 2u);
  BOOST_TEST(contains(j["call"].get<std::string>(), "virDomainMigrateToURI3(web1 on test://"));
}

BOOST_AUTO_TEST_CASE(a_warn_verdict_moves_only_with_accept_warnings) {
  // web2 to hostC: warn (network.same-segment: hostC's br0 is in another subnet).
  const std::vector<std::string> base = {"--inventory", fixture("rules/network.same-segment/preflight.yaml"),
                                         "migrate", "web2", "hostC", "--dry-run"};
  const auto r = run_preflight(base);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(contains(r.out, "preflight migrate: web2 from hostA to hostC (live): REFUSED"), r.out);
  BOOST_TEST(contains(r.out, "web2: not moving to hostC: the verdict is warn; accept the warnings (--accept-warnings)"),
             r.out);
  BOOST_TEST(contains(r.out, "  network.same-segment: "), r.out);
  BOOST_TEST(!contains(r.out, "virDomainMigrateToURI3"), r.out);

  std::vector<std::string> accepting = base;
  accepting.push_back("--accept-warnings");
  const auto accepted = run_preflight(accepting);
  BOOST_TEST(accepted.exit_code == 0, accepted.err);
  BOOST_TEST(contains(accepted.out, "verdict warn\nwarnings accepted:\n  network.same-segment: "), accepted.out);
  BOOST_TEST(contains(accepted.out, "libvirt call: virDomainMigrateToURI3(web2 on test://"), accepted.out);
}

BOOST_AUTO_TEST_CASE(the_mode_decides_what_a_local_disk_means) {
  // lb1 (hostB) has a local disk: a plain check warns (copying is one way to move),
  // a live move would leave it behind (no-go), a copy-storage move copies it (go).
  const auto live = run_preflight(migrate({"lb1", "hostA", "--dry-run", "--accept-warnings"}));
  BOOST_TEST(live.exit_code == 1, live.err);
  BOOST_TEST(contains(live.out, "lb1: not moving to hostA: the verdict is no-go"), live.out);
  BOOST_TEST(contains(live.out, "and a live move does not copy disks"), live.out);
  const auto copy = run_preflight(migrate({"lb1", "hostA", "--dry-run", "--mode", "copy-storage"}));
  BOOST_TEST(copy.exit_code == 0, copy.err);
  BOOST_TEST(contains(copy.out, "(copy-storage), verdict go\n"), copy.out);
  BOOST_TEST(contains(copy.out, "VIR_MIGRATE_NON_SHARED_DISK"), copy.out);
}

BOOST_AUTO_TEST_CASE(a_no_go_is_refused_with_its_reasons_exit_1_and_journaled) {
  TempDir state("preflight-migrate-nogo");
  const std::vector<std::string> env = {"XDG_STATE_HOME=" + state.path.string()};
  const auto r = run_preflight(migrate({"db1", "hostB", "--accept-warnings"}), env);
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(contains(r.out, "db1: not moving to hostB: the verdict is no-go"), r.out);
  BOOST_TEST(contains(r.out, "  cpu.features: db1 sees CPU features that hostB does not offer kvm guests"), r.out);
  std::ifstream journal(state.path / "preflight" / "journal.jsonl");
  std::string line;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(journal, line)), "no journal line");
  const auto j = nlohmann::json::parse(line);
  BOOST_TEST(j["vm"] == "db1");
  BOOST_TEST(j["result"] == "refused");
  BOOST_TEST(j["verdict"] == "no-go");
  // The journal keeps the move's estimate next to its real figures (here none: refused).
  BOOST_TEST(j["estimate"]["total_s"].get<double>() > 0);
  BOOST_TEST(j["estimate"]["assumed"] == nlohmann::json::array({"a 1 Gbit/s link", "an idle guest", "all memory in use"}));
  BOOST_TEST(j["stats"]["elapsed_ms"] == 0);

  const auto json = run_preflight(migrate({"db1", "hostB", "--dry-run", "-o", "json"}));
  BOOST_TEST(json.exit_code == 1, json.err);
  const auto o = nlohmann::json::parse(json.out);
  BOOST_TEST(o["event"] == "outcome");
  BOOST_TEST(o["result"] == "refused");
  bool names_cpu_features = false;
  for (const auto& reason : o["reasons"]) names_cpu_features |= contains(reason.get<std::string>(), "cpu.features: ");
  BOOST_TEST(names_cpu_features);
}

BOOST_AUTO_TEST_CASE(an_unknown_vm_or_mode_could_not_be_decided_exit_2) {
  const auto r = run_preflight(migrate({"nosuchvm", "hostB", "--dry-run"}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "VM 'nosuchvm' not found on any inventory host"), r.err);
  BOOST_TEST(run_preflight(migrate({"web1", "hostB", "--mode", "teleport"})).exit_code == 2);
  BOOST_TEST(run_preflight(migrate({"web1", "nosuchhost", "--dry-run"})).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(help_teaches_with_examples) {
  const auto r = run_preflight({"migrate", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(contains(r.out, "--accept-warnings"), r.out);
  BOOST_TEST(contains(r.out, "--mode"), r.out);
  BOOST_TEST(contains(r.out, "Examples"), r.out);
}

namespace {

using preflight::test::LabAvailable;

}  // namespace

BOOST_AUTO_TEST_SUITE(lab, *boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(a_real_move_through_the_cli_runs_on_the_destination_and_is_journaled) {
  Lab& lab = *preflight::test::shared_lab();
  const std::string vm = "lab-cli";
  preflight::LibvirtHypervisor host1(lab.host(1).control_uri), host2(lab.host(2).control_uri);
  host1.destroy(vm);
  host2.destroy(vm);
  host1.start(lab.guest_xml(vm));
  BOOST_TEST_REQUIRE(lab.wait_counter_above(1, vm, 2, 30), vm << " never printed on host 1");

  TempDir dir("preflight-migrate-lab");
  const auto inventory = dir.path / "preflight.yaml";
  std::ofstream(inventory) << lab.inventory_yaml();
  // No waiver: the lab guest's qemu64 names svm, which neither lab host has; QEMU
  // drops it, and so does the guest view of the check.
  const auto r = run_preflight({"--inventory", inventory.string(), "migrate", vm, "lab2", "--accept-warnings",
                                "-o", "json", "--timeout", "60"},
                               {"XDG_STATE_HOME=" + dir.path.string()});
  BOOST_TEST_MESSAGE("preflight migrate: " << r.out << r.err);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  // -o json: one progress event per line, then the outcome.
  std::vector<nlohmann::json> events;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  BOOST_TEST_REQUIRE(events.size() >= 2u);
  for (size_t i = 0; i + 1 < events.size(); ++i) BOOST_TEST(events[i]["event"] == "progress");
  BOOST_TEST(events.front()["phase"] == "rechecking");
  const std::string last = events.back().dump();
  const auto outcome = nlohmann::json::parse(last);
  BOOST_TEST(outcome["event"] == "outcome");
  BOOST_TEST(outcome["result"] == "moved", last);
  BOOST_TEST(to_string(host2.state(vm)) == "running");
  BOOST_TEST(to_string(host1.state(vm)) == "absent");
  const long last_on_source = lab.serial_counter(1, vm).back();
  BOOST_TEST(lab.wait_counter_above(2, vm, last_on_source + 2, 15), vm << " does not count on host 2");

  std::ifstream journal(dir.path / "preflight" / "journal.jsonl");
  std::string line;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(journal, line)), "no journal line");
  const nlohmann::json journaled = nlohmann::json::parse(line);
  BOOST_TEST(journaled["result"] == "moved", line);
  // The move's own estimate next to the finished job's figures (invariants only: the
  // lab's timing varies).
  BOOST_TEST(journaled["estimate"]["total_s"].get<double>() > 0, line);
  BOOST_TEST_REQUIRE(journaled["real"].is_object(), line);
  BOOST_TEST(journaled["real"]["total_s"].get<double>() > 0, line);
  BOOST_TEST(journaled["real"]["downtime_ms"].get<double>() >= 0, line);
  BOOST_TEST(journaled["real"]["iterations"].get<int>() >= 1, line);
  BOOST_TEST(outcome["real"] == journaled["real"], last);  // -o json and the journal: one vocabulary
  try {
    host1.destroy(vm);
    host2.destroy(vm);
  } catch (...) {
  }
}

BOOST_AUTO_TEST_SUITE_END()
