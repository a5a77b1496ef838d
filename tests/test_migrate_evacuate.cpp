// End to end: `preflight migrate --evacuate HOST` on the demo lab (libvirt
// test-driver hosts: dry runs, nothing moves) and, where the two-host lab can run,
// three real guests evacuated with at most two moves at once.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "migrate/libvirt_hypervisor.hpp"
#include "support/lab.hpp"
#include "support/lab_available.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::TempDir;
using nlohmann::json;
using preflight::test::fixture;
using preflight::test::Lab;
using preflight::test::run_preflight;
using preflight::test::run_process;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> demo(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "migrate"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::map<std::string, json> by_vm(const json& plan) {
  std::map<std::string, json> out;
  for (const auto& v : plan["vms"]) out[v["vm"].get<std::string>()] = v;
  return out;
}

std::string reasons_of(const json& vm, const std::string& host) {
  for (const auto& c : vm["candidates"])
    if (c["host"] == host) return c["reasons"].dump();
  return "no candidate " + host;
}

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

// The demo lab's hosts again, from a temp folder, with `extra` lines per host.
std::filesystem::path demo_inventory(const TempDir& dir, const std::map<std::string, std::string>& extra,
                                     const std::string& more_hosts = {}) {
  const auto path = dir.path / "preflight.yaml";
  std::ofstream out(path);
  out << "hosts:\n";
  for (const std::string h : {"hostA", "hostB", "hostC"}) {
    out << "  " << h << ":\n    libvirt: test://" << fixture("lab/" + h + ".xml") << "\n    cpu: "
        << fixture("lab/" + h + "-cpu.xml") << "\n    pool: " << (h == "hostC" ? "lab" : "prod") << "\n";
    if (extra.count(h)) out << extra.at(h);
  }
  out << more_hosts << "policy: " << fixture("lab/policy.yaml") << "\n";
  return path;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_dry_run_of_demo_hostA_places_web1_and_says_why_the_others_stay) {
  TempDir state("preflight-evacuate-dry");
  const std::vector<std::string> env = {"XDG_STATE_HOME=" + state.path.string()};
  const auto r = run_preflight(demo({"--evacuate", "hostA", "--dry-run", "-o", "json"}), env);
  // Five running VMs have no target: exit 1.
  BOOST_TEST(r.exit_code == 1, r.err);
  const json plan = json::parse(r.out);
  BOOST_TEST(plan["event"] == "evacuation-plan");
  BOOST_TEST(plan["host"] == "hostA");
  auto vms = by_vm(plan);
  BOOST_TEST(vms.size() == 7u);
  BOOST_TEST(vms["web1"]["placement"] == "placed");
  BOOST_TEST(vms["web1"]["destination"] == "hostB");
  BOOST_TEST(vms["web1"]["verdict"] == "go");
  for (const std::string vm : {"app2", "build1", "cluster1", "db1", "gpu1"}) {
    BOOST_TEST(vms[vm]["placement"] == "unplaced", vm);
    BOOST_TEST(vms[vm]["destination"].is_null(), vm);
    BOOST_TEST(vms[vm]["undecided"] == false, vm);
    BOOST_TEST(vms[vm]["why"] == "no candidate qualifies: no-go on 2", vm);
    BOOST_TEST(vms[vm]["candidates"].size() == 2u, vm);
    // Every candidate is an Intel-to-AMD move on hostC.
    BOOST_TEST(contains(reasons_of(vms[vm], "hostC"), "cpu.vendor: hostA has an Intel CPU, hostC an AMD CPU"), vm);
  }
  BOOST_TEST(contains(reasons_of(vms["db1"], "hostB"), "cpu.features: db1 sees CPU features that hostB does not offer kvm guests"));
  BOOST_TEST(contains(reasons_of(vms["gpu1"], "hostB"), "devices.hostdev: gpu1 has passthrough devices"));
  BOOST_TEST(contains(reasons_of(vms["cluster1"], "hostB"), "storage.shareable: "));
  BOOST_TEST(vms["win1"]["placement"] == "skipped");
  BOOST_TEST(vms["win1"]["why"] == "shutoff: --mode live moves running VMs (--mode offline moves shut-off ones)");
  // Per host, 4 at once: no link speed is known.
  for (const std::string h : {"hostA", "hostB", "hostC"}) {
    BOOST_TEST(plan["limits"][h]["limit"] == 4, h);
    BOOST_TEST(plan["limits"][h]["why"] == "link speed unknown", h);
  }
  BOOST_TEST_REQUIRE(plan["moves"].size() == 1u);
  BOOST_TEST(plan["moves"][0]["vm"] == "web1");
  BOOST_TEST(contains(plan["moves"][0]["plan"][0].get<std::string>(), "virDomainMigrateToURI3(web1 on test://"));
  // Each move carries the estimate `preflight migrate` makes of that move alone, and
  // the plan suggests the timeout that estimate suggests.
  BOOST_TEST(plan["move_order"] == "shortest estimate first");
  const json& est = plan["moves"][0]["estimate"];
  BOOST_TEST(est["total_s"].get<double>() > 0);
  BOOST_TEST(est == vms["web1"]["estimate"]);
  BOOST_TEST(est["assumed"] == json::array({"a 1 Gbit/s link", "an idle guest", "all memory in use"}));
  const json single = json::parse(run_preflight(demo({"web1", "hostB", "--dry-run", "-o", "json"}), env).out);
  BOOST_TEST(est["total_s"] == single["estimate"]["total_s"]);
  BOOST_TEST(est["downtime_ms"] == single["estimate"]["downtime_ms"]);
  BOOST_TEST(est["suggested_timeout_s"] == single["estimate"]["suggested_timeout_s"]);
  BOOST_TEST(plan["suggested_timeout_s"] == single["estimate"]["suggested_timeout_s"]);
  // A dry run is not an attempt: no journal.
  BOOST_TEST(!std::filesystem::exists(state.path / "preflight" / "journal.jsonl"));

  const auto text = run_preflight(demo({"--evacuate", "hostA", "--dry-run"}), env);
  BOOST_TEST(text.exit_code == 1, text.err);
  BOOST_TEST(contains(text.out, "preflight migrate --evacuate hostA --dry-run (live): 7 VMs, 1 placed, 5 not placed, "
                                "1 skipped\n"),
             text.out);
  BOOST_TEST(contains(text.out, "moves at once per host: hostA 4 (link speed unknown), hostB 4 (link speed unknown), "
                                "hostC 4 (link speed unknown)\n"),
             text.out);
  BOOST_TEST(contains(text.out, "web1             running     4.0 GiB  hostB        go       11.8 GiB\n"), text.out);
  BOOST_TEST(contains(text.out, "db1              running    32.0 GiB  (none)       -        -\n"), text.out);
  BOOST_TEST(contains(text.out, "not placed:\n  app2 (running, 8.0 GiB): no candidate qualifies: no-go on 2\n"
                                "    hostB: no-go:\n      cpu.features: app2 sees CPU features that hostB does not offer kvm guests"),
             text.out);
  BOOST_TEST(contains(text.out, "skipped (they stay on hostA):\n  win1: shutoff: "), text.out);
  BOOST_TEST(contains(text.out, fmt::format("moves, in start order (shortest estimate first):\n  1. web1 -> hostB: "
                                            "estimate {:.1f} s, {:.0f} ms downtime\n       virDomainMigrateToURI3(web1 on",
                                            est["total_s"].get<double>(), est["downtime_ms"].get<double>())),
             text.out);
  BOOST_TEST(contains(text.out, fmt::format("suggested --timeout: {:.0f} s (the longest move's: twice its estimate plus "
                                            "30 s)\n  the estimates assumed: a 1 Gbit/s link, an idle guest, all memory "
                                            "in use\n",
                                            est["suggested_timeout_s"].get<double>())),
             text.out);
  BOOST_TEST(contains(text.out, "dry run: nothing was moved\n"), text.out);
}

BOOST_AUTO_TEST_CASE(warn_verdicts_place_a_vm_only_with_accept_warnings) {
  // fixtures/rules/network.same-segment: web2 and web3 on hostA; hostC's br0 is in
  // another subnet, so moving either there is warn (network.same-segment).
  const std::vector<std::string> base = {"--inventory", fixture("rules/network.same-segment/preflight.yaml"),
                                         "migrate", "--evacuate", "hostA", "--to", "hostC", "--dry-run"};
  std::vector<std::string> as_json = base;
  as_json.insert(as_json.end(), {"-o", "json"});
  const auto refused = run_preflight(as_json);
  BOOST_TEST(refused.exit_code == 1, refused.err);
  auto vms = by_vm(json::parse(refused.out));
  for (const char* vm : {"web2", "web3"}) {
    BOOST_TEST(vms[vm]["placement"] == "unplaced", vm);
    BOOST_TEST(vms[vm]["why"] == "no candidate qualifies: warn on 1 (--accept-warnings takes those)", vm);
    BOOST_TEST(vms[vm]["candidates"].size() == 1u);  // --to: hostB is no candidate
  }

  std::vector<std::string> accepting = base;
  accepting.push_back("--accept-warnings");
  const auto accepted = run_preflight(accepting);
  BOOST_TEST(accepted.exit_code == 0, accepted.err);
  for (const char* vm : {"web2", "web3"}) {
    const size_t at = accepted.out.find(std::string(vm) + " -> hostC (warnings accepted): estimate ");
    BOOST_TEST_REQUIRE(at != std::string::npos, accepted.out);
    const std::string warning = "\n       warning: network.same-segment: ";
    BOOST_TEST(accepted.out.substr(accepted.out.find('\n', at), warning.size()) == warning, accepted.out);
  }
}

BOOST_AUTO_TEST_CASE(a_live_evacuation_leaves_vms_with_local_disks_unplaced_copy_storage_places_them) {
  // lb1 (hostB) has a local disk: a live move would leave it behind; copy-storage copies it.
  const auto live = run_preflight(demo({"--evacuate", "hostB", "--to", "hostA", "--dry-run", "-o", "json"}));
  BOOST_TEST(live.exit_code == 1, live.err);
  auto vms = by_vm(json::parse(live.out));
  BOOST_TEST(vms["lb1"]["placement"] == "unplaced");
  BOOST_TEST(vms["lb1"]["why"] == "no candidate qualifies: no-go on 1");
  const auto copy = run_preflight(
      demo({"--evacuate", "hostB", "--to", "hostA", "--dry-run", "--mode", "copy-storage", "-o", "json"}));
  vms = by_vm(json::parse(copy.out));
  BOOST_TEST(vms["lb1"]["placement"] == "placed", copy.out);
  BOOST_TEST(vms["lb1"]["destination"] == "hostA", copy.out);
}

BOOST_AUTO_TEST_CASE(ten_gigabit_hosts_take_eight_moves_at_once_unless_concurrency_says_otherwise) {
  TempDir dir("preflight-evacuate-limits");
  const auto inventory = demo_inventory(dir, {{"hostA", "    link_gbit: 10\n"}, {"hostB", "    link_gbit: 1\n"}});
  const auto r = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "hostA", "--dry-run", "-o",
                                "json"});
  BOOST_TEST(r.exit_code == 1, r.err);
  const json limits = json::parse(r.out)["limits"];
  BOOST_TEST(limits["hostA"]["limit"] == 8);
  BOOST_TEST(limits["hostA"]["why"] == "link 10 Gbit/s");
  BOOST_TEST(limits["hostB"]["limit"] == 4);
  BOOST_TEST(limits["hostB"]["why"] == "link 1 Gbit/s");
  BOOST_TEST(limits["hostC"]["why"] == "link speed unknown");

  const auto fixed = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "hostA", "--dry-run",
                                    "--concurrency", "3", "-o", "json"});
  for (const auto& [host, l] : json::parse(fixed.out)["limits"].items()) {
    BOOST_TEST(l["limit"] == 3, host);
    BOOST_TEST(l["why"] == "--concurrency", host);
  }
}

BOOST_AUTO_TEST_CASE(a_target_that_cannot_take_vms_leaves_them_undecided_exit_2) {
  TempDir dir("preflight-evacuate-undecided");
  // hostF is known from a CPU file only: no libvirt URI, it cannot receive a VM.
  const auto inventory =
      demo_inventory(dir, {}, "  hostF:\n    cpu: " + fixture("lab/hostB-cpu.xml") + "\n");
  const auto r = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "hostA", "--to", "hostF",
                                "--dry-run", "-o", "json"});
  BOOST_TEST(r.exit_code == 2, r.err);
  auto vms = by_vm(json::parse(r.out));
  BOOST_TEST(vms["web1"]["placement"] == "unplaced");
  BOOST_TEST(vms["web1"]["undecided"] == true);
  BOOST_TEST(vms["web1"]["why"] == "no candidate qualifies: could not be decided on 1");
  BOOST_TEST(vms["web1"]["candidates"][0]["verdict"] == "undecided");
  BOOST_TEST(contains(reasons_of(vms["web1"], "hostF"), "hostF: no libvirt URI in the inventory"));
}

BOOST_AUTO_TEST_CASE(exactly_one_form_is_accepted_and_mistakes_exit_2_with_the_fix) {
  const auto both = run_preflight(demo({"--evacuate", "hostA", "web1", "--dry-run"}));
  BOOST_TEST(both.exit_code == 2);
  BOOST_TEST(contains(both.err, "preflight: migrate --evacuate hostA takes no VM or DEST (got 'web1'); move one VM "
                                "with 'preflight migrate VM DEST', or every VM of a host with --evacuate HOST"),
             both.err);
  const auto neither = run_preflight(demo({"--dry-run"}));
  BOOST_TEST(neither.exit_code == 2);
  BOOST_TEST(contains(neither.err, "preflight: migrate: give VM DEST, or --evacuate HOST"), neither.err);
  const auto only_vm = run_preflight(demo({"web1"}));
  BOOST_TEST(only_vm.exit_code == 2);
  BOOST_TEST(contains(only_vm.err, "migrate: give VM DEST, or --evacuate HOST"), only_vm.err);
  const auto to_single = run_preflight(demo({"web1", "hostB", "--concurrency", "2", "--dry-run"}));
  BOOST_TEST(to_single.exit_code == 2);
  BOOST_TEST(contains(to_single.err, "migrate: --to and --concurrency apply to --evacuate only"), to_single.err);
  const auto self = run_preflight(demo({"--evacuate", "hostA", "--to", "hostB", "hostA", "--dry-run"}));
  BOOST_TEST(self.exit_code == 2);
  BOOST_TEST(contains(self.err, "preflight: --to hostA: that is the host being evacuated"), self.err);
  const auto unknown = run_preflight(demo({"--evacuate", "hostX", "--dry-run"}));
  BOOST_TEST(unknown.exit_code == 2);
  BOOST_TEST(contains(unknown.err, "unknown host 'hostX'"), unknown.err);
  BOOST_TEST(run_preflight(demo({"--evacuate", "hostA", "--concurrency", "0", "--dry-run"})).exit_code == 2);
  BOOST_TEST(run_preflight(demo({"--evacuate", "hostA", "--from", "hostB", "--dry-run"})).exit_code == 2);

  const auto help = run_preflight({"migrate", "--help"});
  BOOST_TEST(help.exit_code == 0);
  BOOST_TEST(contains(help.out, "--evacuate"), help.out);
  BOOST_TEST(contains(help.out, "--concurrency"), help.out);
  BOOST_TEST(contains(help.out, "preflight migrate --evacuate hostA --dry-run"), help.out);
}

namespace {

using preflight::test::LabAvailable;

// Every domain on lab host n (a previous run kept with PREFLIGHT_LAB_KEEP may leave some).
std::vector<std::string> lab_domains(const Lab& lab, int n) {
  const auto r = run_process({"virsh", "-q", "-c", lab.host(n).control_uri, "list", "--all", "--name"});
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

// At most how many [start, end) intervals overlap at one time.
int peak_overlap(const std::vector<std::pair<double, double>>& intervals) {
  int peak = 0;
  for (const auto& [start, end] : intervals) {
    int n = 0;
    for (const auto& [s, e] : intervals)
      if (s <= start && start < e) ++n;
    peak = std::max(peak, n);
  }
  return peak;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lab, *boost::unit_test::precondition(LabAvailable{}))

BOOST_AUTO_TEST_CASE(three_guests_evacuated_with_concurrency_2_all_run_on_host_2_and_keep_counting) {
  Lab& lab = *preflight::test::shared_lab();
  preflight::LibvirtHypervisor host1(lab.host(1).control_uri), host2(lab.host(2).control_uri);
  for (int n : {1, 2})
    for (const auto& name : lab_domains(lab, n)) (n == 1 ? host1 : host2).destroy(name);
  const std::vector<std::string> guests = {"evac-1", "evac-2", "evac-3"};
  for (const auto& vm : guests) host1.start(lab.guest_xml(vm));
  for (const auto& vm : guests) BOOST_TEST_REQUIRE(lab.wait_counter_above(1, vm, 2, 30), vm << " never printed on host 1");

  TempDir dir("preflight-evacuate-lab");
  const auto inventory = dir.path / "preflight.yaml";
  std::ofstream(inventory) << lab.inventory_yaml();
  const std::vector<std::string> env = {"XDG_STATE_HOME=" + dir.path.string()};

  const auto r = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "lab1", "--to", "lab2",
                                "--concurrency", "2", "--accept-warnings", "--timeout", "60", "-o", "json"},
                               env);
  BOOST_TEST_MESSAGE("preflight migrate --evacuate: " << r.out << r.err);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const std::vector<json> events = json_lines(r.out);
  BOOST_TEST_REQUIRE(events.size() >= 8u);  // plan, 3 starts, progress, 3 outcomes, report
  const json& plan = events.front();
  BOOST_TEST(plan["event"] == "evacuation-plan");
  BOOST_TEST(plan["limits"]["lab1"]["limit"] == 2);
  BOOST_TEST(plan["moves"].size() == 3u);
  for (const auto& [vm, p] : by_vm(plan)) {
    BOOST_TEST(p["placement"] == "placed", vm);
    BOOST_TEST(p["destination"] == "lab2", vm);
  }
  std::set<std::string> started, moved;
  std::vector<std::pair<double, double>> intervals;
  for (const auto& e : events) {
    if (e["event"] == "start") started.insert(e["vm"].get<std::string>());
    if (e["event"] != "outcome") continue;
    BOOST_TEST(e["result"] == "moved", e.dump());
    BOOST_TEST(e["destination"] == "lab2");
    if (e["result"] == "moved") moved.insert(e["vm"].get<std::string>());
    intervals.emplace_back(e["started_ms"].get<double>(), e["ended_ms"].get<double>());
  }
  BOOST_TEST(started == std::set<std::string>(guests.begin(), guests.end()));
  BOOST_TEST(moved == std::set<std::string>(guests.begin(), guests.end()));
  // Two at once, never three.
  BOOST_TEST(intervals.size() == 3u);
  BOOST_TEST(peak_overlap(intervals) == 2);
  const json& report = events.back();
  BOOST_TEST(report["event"] == "evacuation");
  BOOST_TEST(report["counts"]["moved"] == 3);
  BOOST_TEST(report["exit_code"] == 0);

  for (const auto& vm : guests) {
    BOOST_TEST(to_string(host2.state(vm)) == "running", vm);
    BOOST_TEST(to_string(host1.state(vm)) == "absent", vm);
    const long last_on_source = lab.serial_counter(1, vm).back();
    BOOST_TEST(lab.wait_counter_above(2, vm, last_on_source + 2, 15), vm << " does not count on host 2");
  }
  std::ifstream journal(dir.path / "preflight" / "journal.jsonl");
  std::set<std::string> journaled;
  for (std::string line; std::getline(journal, line);) {
    const json j = json::parse(line);
    BOOST_TEST(j["result"] == "moved", line);
    BOOST_TEST(j["destination"] == "lab2", line);
    journaled.insert(j["vm"].get<std::string>());
  }
  BOOST_TEST(journaled == std::set<std::string>(guests.begin(), guests.end()));

  // And back, in text: one line per event on stderr, the table on stdout.
  const auto back = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "lab2",
                                   "--accept-warnings", "--timeout", "60"},
                                  env);
  BOOST_TEST_MESSAGE("preflight migrate --evacuate lab2: " << back.out << back.err);
  BOOST_TEST(back.exit_code == 0, back.out << back.err);
  BOOST_TEST(contains(back.out, "preflight migrate --evacuate lab2 (live): 3 VMs, 3 placed, 0 not placed, 0 skipped\n"),
             back.out);
  BOOST_TEST(contains(back.out, "preflight migrate --evacuate lab2: 3 of 3 VMs moved\n"), back.out);
  for (const auto& vm : guests) {
    BOOST_TEST(contains(back.out, vm + "           lab1         moved        "), back.out);
    BOOST_TEST(contains(back.err, vm + " -> lab1: started\n"), back.err);
    BOOST_TEST(contains(back.err, vm + " -> lab1: MOVED in "), back.err);
    BOOST_TEST(to_string(host1.state(vm)) == "running", vm);
    BOOST_TEST(to_string(host2.state(vm)) == "absent", vm);
  }
  BOOST_TEST(contains(back.err, "evacuating lab2: 3 moves, at most 4 at once on lab2\n"), back.err);
  for (const auto& vm : guests) {
    try {
      host1.destroy(vm);
      host2.destroy(vm);
    } catch (...) {
    }
  }
}

BOOST_AUTO_TEST_CASE(a_vm_whose_name_is_taken_stays_unplaced_and_a_timed_out_move_leaves_its_vm_on_the_source) {
  Lab& lab = *preflight::test::shared_lab();
  preflight::LibvirtHypervisor host1(lab.host(1).control_uri), host2(lab.host(2).control_uri);
  for (int n : {1, 2})
    for (const auto& name : lab_domains(lab, n)) (n == 1 ? host1 : host2).destroy(name);
  // evac-twin runs on both hosts: no target. evac-slow gets one, but its move (a
  // guest that dirties 32 MiB all the time, capped at 1 MiB/s) is aborted by --timeout 1.
  host1.start(lab.guest_xml("evac-slow", true));
  host1.start(lab.guest_xml("evac-twin"));
  host2.start(lab.guest_xml("evac-twin"));
  BOOST_TEST_REQUIRE(lab.wait_counter_above(1, "evac-slow", 1, 30));

  TempDir dir("preflight-evacuate-lab-failed");
  const auto inventory = dir.path / "preflight.yaml";
  std::ofstream(inventory) << lab.inventory_yaml();
  const auto r = run_preflight({"--inventory", inventory.string(), "migrate", "--evacuate", "lab1",
                                "--accept-warnings", "--bandwidth", "1", "--timeout", "1"},
                               {"XDG_STATE_HOME=" + dir.path.string()});
  BOOST_TEST_MESSAGE("preflight migrate --evacuate: " << r.out << r.err);
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "(live): 2 VMs, 1 placed, 1 not placed, 0 skipped\n"), r.out);
  BOOST_TEST(contains(r.out, "not placed:\n  evac-twin (running, 64 MiB): no candidate qualifies: no-go on 1\n"
                             "    lab2: no-go:\n      lab2: a domain named evac-twin is already there (running)\n"),
             r.out);
  BOOST_TEST(contains(r.out, "preflight migrate --evacuate lab1: 0 of 2 VMs moved\n"), r.out);
  BOOST_TEST(contains(r.out, "evac-slow        lab2         failed"), r.out);
  BOOST_TEST(contains(r.out, "evac-twin        -            unplaced"), r.out);
  BOOST_TEST(contains(r.out, "not moved:\n  evac-slow -> lab2: evac-slow: timed out after 1000 ms"), r.out);
  BOOST_TEST(contains(r.out, "    evac-slow on lab1: running; on lab2: absent\n"), r.out);
  BOOST_TEST(contains(r.err, "evac-slow -> lab2: FAILED: evac-slow: timed out after 1000 ms"), r.err);
  // Exactly one running copy of each, where it was.
  BOOST_TEST(to_string(host1.state("evac-slow")) == "running");
  BOOST_TEST(to_string(host2.state("evac-slow")) == "absent");
  BOOST_TEST(to_string(host1.state("evac-twin")) == "running");
  const long before = lab.serial_counter(1, "evac-slow").back();
  BOOST_TEST(lab.wait_counter_above(1, "evac-slow", before + 2, 15), "evac-slow stopped counting on host 1");
  std::ifstream journal(dir.path / "preflight" / "journal.jsonl");
  std::string line;
  BOOST_TEST_REQUIRE(static_cast<bool>(std::getline(journal, line)), "no journal line");
  BOOST_TEST(json::parse(line)["result"] == "failed", line);
  BOOST_TEST(!std::getline(journal, line), "one attempt only: " << line);
  for (const std::string vm : {"evac-slow", "evac-twin"}) {
    try {
      host1.destroy(vm);
      host2.destroy(vm);
    } catch (...) {
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
