// End to end: `preflight estimate` on the demo lab (R54): the inputs and where they
// came from, the pre-copy rounds, live and quick times, assumptions said aloud,
// exit 2 when the VM's memory is not known.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using preflight::test::TempDir;
using nlohmann::json;
using preflight::test::fixture;
using preflight::test::run_preflight;

namespace {

constexpr double GiB = 1024.0 * 1024 * 1024;

std::vector<std::string> demo(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"--inventory", fixture("lab/preflight.yaml"), "estimate"};
  a.insert(a.end(), args.begin(), args.end());
  return a;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The link the estimate of moving web1 to hostB takes, with the inventory at
// `inventory` and `extra` arguments: its inputs.link_bits_per_s (value, from, assumed).
json link_of_web1_to_hostB(const std::string& inventory, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--inventory", inventory, "estimate", "web1", "hostB", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_preflight(args);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out)["inputs"]["link_bits_per_s"];
}

// The demo lab with hostC's lab3 shrunk to 512 MiB and link speeds stated.
std::string lab_with_small_lab3(const TempDir& dir) {
  std::string xml = slurp(fixture("lab/hostC.xml"));
  const size_t at = xml.find("<name>lab3</name>");
  for (const std::string tag : {"memory", "currentMemory"}) {
    const std::string from = "<" + tag + " unit='GiB'>2</" + tag + ">";
    const size_t pos = xml.find(from, at);
    BOOST_REQUIRE(pos != std::string::npos);
    xml.replace(pos, from.size(), "<" + tag + " unit='MiB'>512</" + tag + ">");
  }
  std::ofstream(dir.path / "hostC.xml") << xml;
  const auto inventory = dir.path / "preflight.yaml";
  std::ofstream out(inventory);
  out << "hosts:\n"
      << "  hostB:\n    libvirt: test://" << fixture("lab/hostB.xml") << "\n    cpu: " << fixture("lab/hostB-cpu.xml")
      << "\n    link_gbit: 10\n"
      << "  hostC:\n    libvirt: test://" << (dir.path / "hostC.xml").string()
      << "\n    cpu: " << fixture("lab/hostC-cpu.xml") << "\n    link_gbit: 1\n";
  return inventory.string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(unknown_inputs_are_assumed_and_said_so_with_the_rounds_and_both_times) {
  const auto r = run_preflight(demo({"web1", "hostB"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("preflight estimate: web1 from hostA to hostB (running)") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("memory        4.0 GiB      the domain's <memory> on hostA") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("dirty rate    0.0 MiB/s    unknown: assumed 0, an idle guest") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("link          1 Gbit/s     unknown: assumed 1 GbE") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("max downtime  300 ms       QEMU's default limit") != std::string::npos, r.out);
  // The test driver measures nothing: memory in use and the dirty rate are assumed, with why.
  BOOST_TEST(r.out.find("in use        4.0 GiB      unknown: assumed all of it (libvirt on hostA reported no "
                        "resident memory (balloon.rss))") != std::string::npos,
             r.out);
  BOOST_TEST(r.out.find("dirty rate    0.0 MiB/s    unknown: assumed 0, an idle guest (not measured: libvirt on hostA: "
                        "this function is not supported by the connection driver: virDomainStartDirtyRateCalc)") !=
                 std::string::npos,
             r.out);
  // 4 GiB at 1 Gbit/s: one pass until what is left fits 300 ms, nothing dirtied, the rest
  // paused; syncs at the start, when the bitmap ran low and at the pause.
  BOOST_TEST(r.out.find("  1                4.0 GiB        34.1 s\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("  stop-and-copy   35.8 MiB        300 ms\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("total 35.0 s, downtime 360 ms, 3 iterations") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("quick migration") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("total 68.7 s, all of it downtime") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("assumed, not known: memory in use, dirty rate, link speed") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("check: go") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(given_inputs_drive_the_rounds_in_json) {
  const auto r = run_preflight(demo({"db1", "hostB", "--link-gbit", "10", "--dirty-rate", "200", "-o", "json"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST(j["vm"] == "db1");
  BOOST_TEST(j["source"] == "hostA");
  BOOST_TEST(j["destination"] == "hostB");
  BOOST_TEST(j["inputs"]["memory_bytes"]["value"].get<double>() == 32 * GiB);
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["value"].get<double>() == 10e9);
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["from"] == "--link-gbit");
  BOOST_TEST(j["inputs"]["dirty_bytes_per_s"]["value"].get<double>() == 200.0 * 1024 * 1024);
  BOOST_TEST(j["inputs"]["dirty_bytes_per_s"]["assumed"] == false);
  BOOST_TEST(j["inputs"]["max_downtime_ms"]["value"].get<double>() == 300.0);
  BOOST_TEST(j["assumed"] == json::array({"used_memory"}));  // the test driver reports no resident memory
  BOOST_TEST(j["check_verdict"] == "no-go");  // db1 cannot go to hostB, but its move can still be estimated

  const json& live = j["live"];
  BOOST_TEST(live["converges"] == true);
  const json& rounds = live["rounds"];
  BOOST_TEST(rounds.size() >= 3u);
  BOOST_TEST(live["iterations"].get<int>() >= 3);
  // The first pass carries nearly all of the 32 GiB (the rest of the bitmap goes in the next).
  BOOST_TEST(rounds[0]["bytes"].get<double>() <= 32 * GiB);
  BOOST_TEST(rounds[0]["bytes"].get<double>() > 31 * GiB);
  // 200 MiB/s against 1.25 GB/s: the second pass carries about 0.168 of the first.
  BOOST_TEST(rounds[1]["bytes"].get<double>() / rounds[0]["bytes"].get<double>() == 200.0 * 1024 * 1024 / 1.25e9,
             boost::test_tools::tolerance(0.05));
  const json& costs = j["inputs"]["qemu_costs"];
  double sum = costs["setup_s"].get<double>() + costs["switchover_ms"].get<double>() / 1000.0;
  for (const auto& round : rounds) sum += round["seconds"].get<double>();
  BOOST_TEST(sum == live["total_s"].get<double>(), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(rounds.back()["stop_and_copy"] == true);
  BOOST_TEST(live["downtime_ms"].get<double>() <= 300.0 + costs["switchover_ms"].get<double>());
  BOOST_TEST(live["downtime_ms"].get<double>() ==
                 rounds.back()["seconds"].get<double>() * 1000.0 + costs["switchover_ms"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  // Quick: 32 GiB twice over 10 Gbit/s.
  BOOST_TEST(j["quick"]["total_s"].get<double>() == 2 * 32 * GiB * 8 / 10e9, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(quick_migration_of_512_mib_over_1_gbe_takes_about_8_s_as_in_seed_003) {
  TempDir dir("preflight-estimate-seed");
  const std::string inventory = lab_with_small_lab3(dir);
  const auto r = run_preflight({"--inventory", inventory, "estimate", "lab3", "hostB", "-o", "json"});
  BOOST_TEST(r.exit_code == 0, r.err);
  const json j = json::parse(r.out);
  BOOST_TEST(j["inputs"]["memory_bytes"]["value"].get<double>() == 512.0 * 1024 * 1024);
  // The slower of the two hosts' stated links.
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["value"].get<double>() == 1e9);
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["from"] == "link_gbit of hostC in the inventory (the slower of the two hosts)");
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["assumed"] == false);
  BOOST_TEST(j["assumed"] == json::array({"used_memory", "dirty_rate"}));
  // Seed 003: 512 MB over 1 GbE, about 8 s (the state crosses the link twice).
  BOOST_TEST(j["quick"]["total_s"].get<double>() == 8.6, boost::test_tools::tolerance(0.01));
  BOOST_TEST(j["quick"]["downtime_s"] == j["quick"]["total_s"]);

  const auto text = run_preflight({"--inventory", inventory, "estimate", "lab3", "hostB"});
  BOOST_TEST(text.exit_code == 0, text.err);
  BOOST_TEST(text.out.find("total 8.6 s, all of it downtime") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("link          1 Gbit/s     link_gbit of hostC in the inventory") != std::string::npos,
             text.out);
}

BOOST_AUTO_TEST_CASE(a_guest_dirtying_faster_than_the_link_is_said_not_to_converge) {
  const auto r = run_preflight(demo({"web1", "hostB", "--dirty-rate", "500"}));
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("does not converge: the guest dirties memory (500.0 MiB/s) as fast as the stream sends it "
                        "(119.2 MiB/s)") != std::string::npos,
             r.out);
  const json j = json::parse(run_preflight(demo({"web1", "hostB", "--dirty-rate", "500", "-o", "json"})).out);
  BOOST_TEST(j["live"]["converges"] == false);
  BOOST_TEST(j["live"]["downtime_ms"].get<double>() > 300.0);
}

BOOST_AUTO_TEST_CASE(a_vm_whose_memory_is_not_known_cannot_be_estimated_exit_2) {
  TempDir dir("preflight-estimate-nomem");
  // hostB from a facts file in which erp1 states no memory.
  const auto collected = run_preflight(
      {"--inventory", fixture("lab/preflight.yaml"), "collect", "hostB", "-w", (dir.path / "hostB.yaml").string()});
  BOOST_REQUIRE_MESSAGE(collected.exit_code == 0, collected.err);
  std::string facts = slurp((dir.path / "hostB.yaml").string());
  const size_t at = facts.find("memory_kib: 100663296");  // erp1's 96 GiB
  BOOST_REQUIRE(at != std::string::npos);
  facts.replace(at, std::string("memory_kib: 100663296").size(), "memory_kib: 0");
  std::ofstream(dir.path / "hostB.yaml") << facts;
  std::ofstream(dir.path / "preflight.yaml")
      << "hosts:\n  hostA:\n    libvirt: test://" << fixture("lab/hostA.xml") << "\n    cpu: "
      << fixture("lab/hostA-cpu.xml") << "\n  hostB:\n    facts: " << (dir.path / "hostB.yaml").string() << "\n";

  const auto r = run_preflight({"--inventory", (dir.path / "preflight.yaml").string(), "estimate", "erp1", "hostA"});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "preflight: cannot estimate moving 'erp1': its memory size is not known (the domain on 'hostB' "
                      "states none); the estimate needs the VM's <memory>; check the domain definition\n");
}

BOOST_AUTO_TEST_CASE(an_unknown_vm_or_a_bad_input_is_exit_2) {
  const auto r = run_preflight(demo({"nosuch", "hostB"}));
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.err.find("VM 'nosuch' not found") != std::string::npos, r.err);
  BOOST_TEST(run_preflight(demo({"web1", "hostB", "--link-gbit", "0"})).exit_code == 2);
  BOOST_TEST(run_preflight(demo({"web1", "hostB", "--dirty-rate", "-1"})).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(help_shows_examples) {
  const auto r = run_preflight({"estimate", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("preflight estimate db1 hostB --link-gbit 10 --dirty-rate 200") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(checks_summary_line_says_what_its_estimate_assumed) {
  // No link_gbit in the demo inventory, nothing measured: the line names all three.
  const auto r = run_preflight({"--inventory", fixture("lab/preflight.yaml"), "check", "web1", "hostB"});
  BOOST_TEST(r.out.find("ms downtime\n  assumed: a 1 Gbit/s link, an idle guest, all memory in use\n  (preflight "
                        "estimate measures them)\n") != std::string::npos,
             r.out);
  const json j =
      json::parse(run_preflight({"--inventory", fixture("lab/preflight.yaml"), "check", "web1", "hostB", "-o", "json"}).out);
  BOOST_TEST(j["estimate"]["assumed"] == json::array({"a 1 Gbit/s link", "an idle guest", "all memory in use"}));
  // A stated link is not assumed.
  TempDir dir("preflight-estimate-summary");
  const std::string inventory = lab_with_small_lab3(dir);
  const json k = json::parse(run_preflight({"--inventory", inventory, "check", "lab3", "hostB", "-o", "json"}).out);
  BOOST_TEST(k["estimate"]["assumed"] == json::array({"an idle guest", "all memory in use"}));
}

BOOST_AUTO_TEST_CASE(the_link_is_the_slower_hosts_nic_speed_when_the_facts_carry_it) {
  // hostA and hostB as facts files, each with the NICs `preflight collect` reads on a
  // real host; no link_gbit in the inventory.
  TempDir dir("preflight-estimate-nics");
  const auto collect = [&](const std::string& host, const std::string& nics) {
    const auto path = (dir.path / (host + ".yaml")).string();
    const auto r = run_preflight({"--inventory", fixture("lab/preflight.yaml"), "collect", host, "-w", path});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    // The lab's test-driver hosts define no node devices, so libvirt lists no NIC: the
    // empty list gives way to the NICs of the test.
    std::string facts = slurp(path);
    const std::string none = "  nics: []\n";
    const size_t at = facts.find(none);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, facts);
    facts.replace(at, none.size(), "  nics:\n" + nics);
    std::ofstream(path) << facts;
  };
  collect("hostA", "    - {name: eno1, speed_mbps: 10000, up: true}\n"
                   "    - {name: eno2, speed_mbps: 25000, up: false}\n");
  collect("hostB", "    - {name: eno1, speed_mbps: 2500, up: true}\n"
                   "    - {name: eno2, speed_mbps: {unknown: \"the link is down\"}, up: false}\n");
  const auto write_inventory = [&](const std::string& extra) {
    std::ofstream(dir.path / "preflight.yaml") << "hosts:\n  hostA:\n    facts: " << (dir.path / "hostA.yaml").string()
                                               << "\n" << extra << "  hostB:\n    facts: "
                                               << (dir.path / "hostB.yaml").string() << "\n";
    return (dir.path / "preflight.yaml").string();
  };
  const std::string inventory = write_inventory("");
  const json link = link_of_web1_to_hostB(inventory);
  BOOST_TEST(link["value"] == 2.5e9);
  BOOST_TEST(link["assumed"] == false);
  const std::string from = link["from"];
  BOOST_TEST(from.starts_with("NIC speed of hostA/hostB (collect: eno1 10 Gbit/s, eno1 2.5 Gbit/s;"), from);
  // check's summary no longer assumes the link.
  const json k = json::parse(run_preflight({"--inventory", inventory, "check", "web1", "hostB", "-o", "json"}).out);
  BOOST_TEST(k["estimate"]["assumed"] == json::array({"an idle guest", "all memory in use"}));

  // Only one end's NIC speed known: the other may be slower, so the link is a guess, said so.
  collect("hostB", "    unknown: \"not read in this test\"\n");
  const json one = link_of_web1_to_hostB(inventory);
  BOOST_TEST(one["value"] == 10e9);
  BOOST_TEST(one["assumed"] == true);
  const std::string one_from = one["from"];
  BOOST_TEST(one_from.starts_with("assumed from one end: NIC speed of hostA (collect: eno1 10 Gbit/s"), one_from);
  BOOST_TEST(one_from.find("hostB's NIC speed is not known") != std::string::npos, one_from);

  // The inventory's link_gbit comes before the NIC speed, --link-gbit before both.
  const std::string stated = write_inventory("    link_gbit: 5\n");
  const json s = link_of_web1_to_hostB(stated);
  BOOST_TEST(s["value"] == 5e9);
  BOOST_TEST(s["from"] == "link_gbit of hostA in the inventory");
  BOOST_TEST(link_of_web1_to_hostB(stated, {"--link-gbit", "40"})["from"] == "--link-gbit");
}

// Hosts read through libvirt carry the NIC speeds of its node devices: with two
// test-driver hosts that define PCI NICs (and a tap device, which is not one), the
// link is the slower host's fastest NIC that is up, as with collected facts.
BOOST_AUTO_TEST_CASE(the_link_is_the_nic_speed_libvirt_lists_for_hosts_read_through_libvirt) {
  TempDir dir("preflight-estimate-nodedev");
  const auto with_nics = [&](const std::string& host, const std::string& up_mbps, const std::string& down_mbps) {
    std::string xml = slurp(fixture("lab/" + host + ".xml"));
    const std::string devices =
        "<device><name>pci_0000_03_00_0</name><parent>computer</parent><capability type='pci'><domain>0</domain>"
        "<bus>3</bus><slot>0</slot><function>0</function><product id='0x1572'/><vendor id='0x8086'/></capability>"
        "</device>\n"
        "<device><name>net_eno1</name><parent>pci_0000_03_00_0</parent><capability type='net'><interface>eno1"
        "</interface><address>3c:fd:fe:00:00:01</address><link speed='" + up_mbps + "' state='up'/></capability>"
        "</device>\n"
        "<device><name>net_eno2</name><parent>pci_0000_03_00_0</parent><capability type='net'><interface>eno2"
        "</interface><address>3c:fd:fe:00:00:02</address><link speed='" + down_mbps + "' state='down'/></capability>"
        "</device>\n"
        "<device><name>net_vnet0</name><parent>computer</parent><capability type='net'><interface>vnet0"
        "</interface><address>fe:54:00:00:00:01</address><link speed='100000' state='up'/></capability></device>\n";
    xml.insert(xml.rfind("</node>"), devices);
    std::ofstream(dir.path / (host + ".xml")) << xml;
  };
  with_nics("hostA", "25000", "100000");
  with_nics("hostB", "10000", "40000");
  std::ofstream(dir.path / "preflight.yaml") << "hosts:\n  hostA:\n    libvirt: test://" << (dir.path / "hostA.xml").string()
                                             << "\n  hostB:\n    libvirt: test://" << (dir.path / "hostB.xml").string()
                                             << "\n";
  const json link = link_of_web1_to_hostB((dir.path / "preflight.yaml").string());
  BOOST_TEST(link["value"] == 10e9);
  BOOST_TEST(link["assumed"] == false);
  const std::string from = link["from"];
  BOOST_TEST(from.starts_with("NIC speed of hostA/hostB (collect: eno1 25 Gbit/s, eno1 10 Gbit/s;"), from);
}

BOOST_AUTO_TEST_CASE(facts_without_nics_leave_the_link_assumed) {
  // The demo lab's libvirt test-driver hosts define no node devices, so no NIC: assumed 1 GbE, said so.
  const json j = json::parse(run_preflight(demo({"web1", "hostB", "-o", "json"})).out);
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["assumed"] == true);
  BOOST_TEST(j["inputs"]["link_bits_per_s"]["value"] == 1e9);
  // The link test's connect time is no bandwidth, and the text says so.
  const std::string from = j["inputs"]["link_bits_per_s"]["from"];
  BOOST_TEST(from.starts_with("assumed 1 GbE (not measured: the migration-link test times a TCP connect, not "
                              "throughput;"),
             from);
}
