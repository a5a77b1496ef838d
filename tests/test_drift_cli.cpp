// End to end: `preflight drift` and `preflight whatif` on the before/after pairs of
// fixtures/drift (README.md there): the VMs that lose a move, and the cause named.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using nlohmann::json;
using preflight::test::fixture;
using preflight::test::run_preflight;
using preflight::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string drift(const std::string& name) { return fixture("drift/" + name); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// "vm from->to" of each move of `j` whose change is `change`.
std::set<std::string> moves(const json& j, const std::string& change) {
  std::set<std::string> out;
  for (const auto& m : j["moves"])
    if (m["change"] == change)
      out.insert(m["vm"].get<std::string>() + " " + m["from_after"].get<std::string>() + "->" +
                 m["to"].get<std::string>());
  return out;
}

// feature -> cause of what `mode` guests lose on `host`.
std::map<std::string, std::string> lost_features(const json& j, const std::string& host, const std::string& mode) {
  std::map<std::string, std::string> out;
  for (const auto& h : j["hosts"])
    if (h["host"] == host)
      for (const auto& m : h["modes"])
        if (m["mode"] == mode)
          for (const auto& f : m["lost"]) out[f["feature"]] = f["cause"];
  return out;
}

json run_json(const std::vector<std::string>& args, int expected_exit) {
  std::vector<std::string> a = args;
  a.insert(a.end(), {"-o", "json"});
  const auto r = run_preflight(a);
  BOOST_TEST(r.exit_code == expected_exit, r.err);
  json j = json::parse(r.out);
  BOOST_TEST(j["schema_version"] == 1);
  return j;
}

}  // namespace

BOOST_AUTO_TEST_CASE(microcode_removing_tsx_loses_the_moves_of_guests_with_hle_rtm) {
  const json j = run_json({"drift", drift("tsx/before"), drift("tsx/after")}, 1);
  // A Cascadelake-Server guest and a running host-model guest of hostB can no longer
  // come to hostA, and hostA's own Cascadelake-Server guest no longer starts there.
  // A host-passthrough guest needs identical CPUs: hostA's now lack hle and rtm.
  BOOST_TEST(moves(j, "lost") == (std::set<std::string>{"hm2 hostB->hostA", "pt2 hostB->hostA", "tsx1 hostA->hostA",
                                                        "tsx2 hostB->hostA"}));
  BOOST_TEST(moves(j, "gained").empty());
  for (const auto& m : j["moves"]) BOOST_TEST(m["vm"] != "notsx1");  // a -noTSX model does not care
  for (const auto& m : j["moves"]) BOOST_TEST(m["vm"] != "old2");
  const auto lost = lost_features(j, "hostA", "host-model (kvm)");
  BOOST_TEST(lost.size() == 2u);
  for (const std::string f : {"hle", "rtm"}) BOOST_TEST(lost.at(f) == "removed by microcode or kernel", f);
  bool tsx_fact = false, microcode_fact = false;
  for (const auto& f : j["hosts"][0]["facts"]) {
    tsx_fact |= f["what"] == "firmware.tsx" && f["before"] == "enabled" && f["after"] == "disabled";
    microcode_fact |= f["what"] == "cpu.microcode" && f["before"] == "0x5003302" && f["after"] == "0x5003604";
  }
  BOOST_TEST(tsx_fact);
  BOOST_TEST(microcode_fact);
  bool cascadelake_unusable = false;
  for (const auto& m : j["hosts"][0]["models"])
    cascadelake_unusable |= m["model"] == "Cascadelake-Server" && m["usable_before"] == true && m["usable_after"] == false;
  BOOST_TEST(cascadelake_unusable);
  // The pool of both hosts (prod) gives up what hostA lost.
  BOOST_REQUIRE(j["pools"].size() == 1u);
  BOOST_TEST(j["pools"][0]["pool"] == "prod");
  BOOST_TEST(j["pools"][0]["features_lost"] == json::array({"hle", "rtm"}));
  BOOST_TEST(j["verdict"] == "lost");

  const auto text = run_preflight({"drift", drift("tsx/before"), drift("tsx/after")}, {"COLUMNS=1000"});  // one finding a line
  BOOST_TEST(text.exit_code == 1);
  BOOST_TEST(has(text.out, "lost      tsx2 hostB -> hostA: yes -> no\n"), text.out);
  BOOST_TEST(has(text.out, "lost      tsx1 (re)starting on hostA: yes -> no\n"), text.out);
  BOOST_TEST(has(text.out, "hle rtm: removed by microcode or kernel (TSX is disabled on 'hostA'"), text.out);
  BOOST_TEST(has(text.out, "tsx2 sees CPU features that hostA does not offer kvm guests: hle (removed by microcode or kernel)"),
             text.out);
  BOOST_TEST(has(text.out, "4 move(s) lost, 0 gained, 0 undecided\n"), text.out);

  // Not a terminal, no COLUMNS: folded to 80 columns, under each line's indent.
  const auto folded = run_preflight({"drift", drift("tsx/before"), drift("tsx/after")});
  BOOST_TEST(folded.exit_code == 1);
  std::istringstream lines(folded.out);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 80u, line);
  BOOST_TEST(has(folded.out, "  lost      tsx2 hostB -> hostA: yes -> no\n"), folded.out);
  BOOST_TEST(has(folded.out, "            cpu.features: tsx2 sees CPU features that hostA does not offer kvm\n"
                             "              guests: hle"), folded.out);
}

BOOST_AUTO_TEST_CASE(a_bios_update_turning_off_vtx_and_aes_names_the_firmware) {
  const json j = run_json({"drift", drift("bios/before"), drift("bios/after")}, 1);
  BOOST_TEST(moves(j, "lost") == (std::set<std::string>{"crypt1 hostB->hostA", "nested1 hostB->hostA"}));
  for (const auto& m : j["moves"]) BOOST_TEST(m["vm"] != "plain1");  // Nehalem needs neither
  const auto lost = lost_features(j, "hostA", "host-model (kvm)");
  BOOST_TEST(lost.size() == 2u);
  for (const std::string f : {"vmx", "aes"}) BOOST_TEST(lost.at(f) == "disabled by firmware", f);
  const auto text = run_preflight({"drift", drift("bios/before"), drift("bios/after")}, {"COLUMNS=1000"});  // one finding a line
  BOOST_TEST(has(text.out, "firmware  firmware.aes: on -> off\n"), text.out);
  BOOST_TEST(has(text.out, "aes: disabled by firmware (AES-NI is switched off in the firmware of 'hostA'"), text.out);
  BOOST_TEST(has(text.out, "nested1 sees CPU features that hostA does not offer kvm guests: vmx (disabled by firmware)"),
             text.out);
}

BOOST_AUTO_TEST_CASE(a_kernel_changing_mitigations_loses_the_guests_that_use_them) {
  const json j = run_json({"drift", drift("kernel/before"), drift("kernel/after")}, 1);
  BOOST_TEST(moves(j, "lost") == (std::set<std::string>{"hm1 hostB->hostA", "sec1 hostB->hostA"}));
  for (const auto& m : j["moves"]) BOOST_TEST(m["vm"] != "plain2");
  const auto lost = lost_features(j, "hostA", "host-model (kvm)");
  for (const std::string f : {"md-clear", "ssbd", "arch-capabilities"})
    BOOST_TEST(lost.at(f) == "removed by microcode or kernel", f);

  // One host's two files put in place of that host among the others (--fleet): the same answer.
  const json one = run_json({"drift", drift("kernel/before/hostA.yaml"), drift("kernel/after/hostA.yaml"), "--fleet",
                             drift("kernel/before")},
                            1);
  BOOST_TEST(moves(one, "lost") == moves(j, "lost"));
  const auto text = run_preflight({"drift", drift("kernel/before"), drift("kernel/after")}, {"COLUMNS=1000"});  // one finding a line
  BOOST_TEST(has(text.out, "kernel    vulnerabilities.mds: Mitigation: Clear CPU buffers; SMT vulnerable -> Vulnerable"),
             text.out);
  BOOST_TEST(has(text.out, "kernel    flag md_clear removed\n"), text.out);
}

BOOST_AUTO_TEST_CASE(no_change_is_exit_0_and_a_change_that_cannot_be_judged_is_exit_2) {
  const json same = run_json({"drift", drift("tsx/before"), drift("tsx/before")}, 0);
  BOOST_TEST(same["hosts"].empty());
  BOOST_TEST(same["moves"].empty());
  BOOST_TEST(same["verdict"] == "ok");

  // hostA's kernel changes and its domain capabilities were not read: what KVM offers
  // is not known, so the moves to it cannot be told (never a go).
  const TempDir dir("preflight-drift-undecided");
  fs::create_directories(dir.path / "after");
  fs::copy_file(drift("kernel/after/hostB.yaml"), dir.path / "after/hostB.yaml");
  const std::string a = slurp(drift("kernel/after/hostA.yaml"));
  const std::string cut = std::regex_replace(a, std::regex("  offers:\n(    .*\n|      .*\n)*"), "");
  BOOST_REQUIRE(cut != a);
  std::ofstream(dir.path / "after/hostA.yaml") << cut;
  const json j = run_json({"drift", drift("kernel/before"), (dir.path / "after").string()}, 2);
  BOOST_TEST(j["verdict"] == "undecided");
  BOOST_TEST(moves(j, "undecided").count("sec1 hostB->hostA") == 1u);
  BOOST_TEST(moves(j, "lost").empty());
}

BOOST_AUTO_TEST_CASE(prometheus_output_counts_the_hosts_each_vm_can_move_to) {
  const auto r = run_preflight({"drift", drift("tsx/before"), drift("tsx/after"), "-o", "prometheus"});
  BOOST_TEST(r.exit_code == 1, r.err);
  // tsx2 could go to hostA before, and no longer; notsx1 still can go to hostB.
  BOOST_TEST(has(r.out, "preflight_drift_vm_movable_hosts{vm=\"tsx2\",host=\"hostB\"} 0\n"), r.out);
  BOOST_TEST(has(r.out, "preflight_drift_vm_movable_hosts_before{vm=\"tsx2\",host=\"hostB\"} 1\n"), r.out);
  BOOST_TEST(has(r.out, "preflight_drift_vm_movable_hosts{vm=\"notsx1\",host=\"hostA\"} 1\n"), r.out);
  BOOST_TEST(has(r.out, "preflight_drift_host_features_lost{host=\"hostA\",mode=\"host-model (kvm)\"} 2\n"), r.out);
  BOOST_TEST(has(r.out, "preflight_drift_moves{change=\"lost\"} 4\n"), r.out);
  // node_exporter's textfile format: comments, or `name{labels} value`.
  const std::regex sample(R"(^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9]+$)");
  std::istringstream in(r.out);
  size_t samples = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    BOOST_TEST(std::regex_match(line, sample), line);
    ++samples;
  }
  BOOST_TEST(samples > 10u);
}

BOOST_AUTO_TEST_CASE(a_cpu_map_whose_model_loses_a_feature_names_the_guests_of_that_model) {
  const fs::path system = "/usr/share/libvirt/cpu_map";
  const TempDir dir("preflight-drift-cpu-map");
  for (const auto& e : fs::directory_iterator(system)) fs::copy_file(e.path(), dir.path / e.path().filename());
  const fs::path skylake = dir.path / "x86_Skylake-Server.xml";
  const std::string text = slurp(skylake.string());
  const std::string edited = std::regex_replace(text, std::regex("[ \t]*<feature name='mpx'/>\n"), "");
  BOOST_REQUIRE(edited != text);  // the model had MPX (QEMU dropped it from later versions)
  std::ofstream(skylake, std::ios::trunc) << edited;

  const json j = run_json({"--cpu-map", dir.path.string(), "drift", "--fleet", drift("cpu-map"), "--old-cpu-map",
                           system.string()},
                          0);
  BOOST_TEST(j["cpu_map"].size() == 1u);
  BOOST_TEST(j["cpu_map"][0]["model"] == "Skylake-Server");
  BOOST_TEST(j["cpu_map"][0]["removed"] == json::array({"mpx"}));
  BOOST_TEST(j["guests"].size() == 1u);  // web3 (Haswell-noTSX) sees the same CPU
  BOOST_TEST(j["guests"][0]["vm"] == "sky1");
  BOOST_TEST(j["guests"][0]["removed"] == json::array({"mpx"}));
  const auto r = run_preflight({"--cpu-map", dir.path.string(), "drift", "--fleet", drift("cpu-map"), "--old-cpu-map",
                                system.string()});
  BOOST_TEST(has(r.out, "  Skylake-Server: loses mpx\n"), r.out);
  BOOST_TEST(has(r.out, "  sky1 on hostA (custom Skylake-Server): loses mpx\n"), r.out);
}

BOOST_AUTO_TEST_CASE(whatif_adding_a_haswell_host_to_a_skylake_pool_lowers_the_baseline_and_names_the_vms) {
  const std::string inv = drift("whatif/preflight.yaml");
  const json j = run_json({"--inventory", inv, "whatif", "--add", drift("whatif/haswell.yaml"), "--pool", "prod"}, 1);
  BOOST_TEST(j["added"] == json::array({"hsw1"}));
  BOOST_REQUIRE(j["pools"].size() == 1u);
  const json& p = j["pools"][0];
  BOOST_TEST(p["pool"] == "prod");
  BOOST_TEST(p["before"]["hosts"] == json::array({"skyA", "skyB"}));
  BOOST_TEST(p["after"]["hosts"] == json::array({"skyA", "skyB", "hsw1"}));
  BOOST_TEST(p["before"]["model"].get<std::string>().starts_with("Skylake-Server"));
  BOOST_TEST(p["after"]["model"].get<std::string>().starts_with("Haswell"));
  BOOST_TEST(p["before"]["level"] == 4);  // AVX-512
  BOOST_TEST(p["after"]["level"] == 3);
  std::set<std::string> lost(p["features_lost"].begin(), p["features_lost"].end());
  for (const std::string f : {"avx512f", "avx512bw", "clwb"}) BOOST_TEST(lost.count(f) == 1u, f);
  std::map<std::string, json> vms;
  for (const auto& v : p["vms"]) vms[v["vm"]] = v;
  BOOST_TEST(vms.size() == 2u);  // web5 (Haswell-noTSX-IBRS) fits the Haswell host
  for (const std::string vm : {"app1", "hm5"}) {
    BOOST_REQUIRE(vms.count(vm) == 1u);
    BOOST_TEST(vms[vm]["cannot_reach"] == json::array({"hsw1"}), vm);
    BOOST_TEST(vms[vm]["mask"].get<std::string>().starts_with("Haswell"), vm);
    std::set<std::string> gives_up(vms[vm]["gives_up"].begin(), vms[vm]["gives_up"].end());
    BOOST_TEST(gives_up.count("avx512f") == 1u, vm);
    BOOST_TEST(has(vms[vm]["mask_libvirt"], "<cpu mode='custom'"), vm);
  }

  const auto text = run_preflight({"--inventory", inv, "whatif", "--add", drift("whatif/haswell.yaml"), "--pool", "prod"});
  BOOST_TEST(text.exit_code == 1);
  BOOST_TEST(has(text.out, "  app1 on skyA would no longer move to hsw1\n"), text.out);
  BOOST_TEST(has(text.out, "mask that keeps it movable: Haswell"), text.out);
  BOOST_TEST(has(text.out, "avx512f (absent in silicon)"), text.out);
  BOOST_TEST(!has(text.out, "<cpu"), text.out);  // the mask's XML is in -o json, not in the text

  // Taking skyB away leaves one host: every VM still fits it.
  const json removed = run_json({"--inventory", inv, "whatif", "--remove", "skyB"}, 0);
  BOOST_TEST(removed["pools"][0]["vms"].empty());
  // Replacing skyB with the Haswell server is the same loss as adding it.
  const json replaced =
      run_json({"--inventory", inv, "whatif", "--replace", "skyB=" + drift("whatif/haswell.yaml")}, 1);
  BOOST_TEST(replaced["pools"][0]["vms"].size() == 2u);
  BOOST_TEST(run_preflight({"--inventory", inv, "whatif", "--remove", "nosuch"}).exit_code == 2);
  BOOST_TEST(run_preflight({"--inventory", inv, "whatif"}).exit_code == 2);
  // A host added to a fleet of pools must say which one it joins.
  const auto no_pool = run_preflight({"--inventory", inv, "whatif", "--add", drift("whatif/haswell.yaml")});
  BOOST_TEST(no_pool.exit_code == 2);
  BOOST_TEST(has(no_pool.err, "--pool P"), no_pool.err);
}

BOOST_AUTO_TEST_CASE(help_teaches_the_inputs_and_the_exit_status) {
  for (const std::string cmd : {"drift", "whatif"}) {
    const auto r = run_preflight({cmd, "--help"});
    BOOST_TEST(r.exit_code == 0, cmd);
    BOOST_TEST(has(r.out, "Exit status: 0 no VM loses a move, 1 some VM"), r.out);
    BOOST_TEST(has(r.out, "prometheus"), r.out);
    BOOST_TEST(has(r.out, "Examples"), r.out);
  }
  BOOST_TEST(run_preflight({"drift", drift("tsx/before")}).exit_code == 2);
}
