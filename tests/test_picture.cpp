// R56: `preflight check VM DEST -o dot`, a Graphviz picture of why a VM can or
// cannot move: end to end on the demo lab, and the renderer's quoting on odd names.
// Rendering with Graphviz is tried only when `dot` is installed.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/dot_report.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace preflight;
using preflight::test::fixture;
using preflight::test::run_preflight;
using preflight::test::run_process;

namespace {

// `rules`: a folder of rule files; empty: the shipped ones.
test::ProcessResult picture(const std::string& vm, const std::string& destination, const std::string& rules = {}) {
  std::vector<std::string> args = {"--inventory", fixture("lab/preflight.yaml")};
  if (!rules.empty()) args.insert(args.end(), {"--rules", rules});
  args.insert(args.end(), {"check", vm, destination, "-o", "dot"});
  return run_preflight(args);
}

// The line of `dot` that declares the edge from -> to ("" when none).
std::string edge_line(const std::string& dot, const std::string& from, const std::string& to) {
  const std::string head = "  \"" + from + "\" -> \"" + to + "\" [";
  const size_t at = dot.find(head);
  if (at == std::string::npos) return "";
  return dot.substr(at, dot.find('\n', at) - at);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Outside double-quoted strings (with \" escapes) braces balance and every
// statement line ends in ; { or }. A light check that the DOT is well formed.
bool well_formed(const std::string& dot) {
  int depth = 0;
  bool quoted = false;
  std::string line;
  for (size_t i = 0; i < dot.size(); ++i) {
    const char c = dot[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      else if (c == '\n') return false;  // a raw newline inside a string
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '{') ++depth;
    else if (c == '}' && --depth < 0) return false;
    if (c == '\n') {
      const char last = line.empty() ? ';' : line.back();
      if (last != ';' && last != '{' && last != '}') return false;
      line.clear();
    } else if (c != ' ') {
      line += c;
    }
  }
  return depth == 0 && !quoted;
}

// The edge statements of `dot`, one a line, each without its tooltip (which quotes
// the findings' messages): what is tied to what, in which colour, with which rules.
std::string edges_without_tooltips(const std::string& dot) {
  std::istringstream in(dot);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("\" -> \"") == std::string::npos) continue;
    if (const size_t at = line.find(", tooltip=\""); at != std::string::npos) {
      size_t end = at + 11;
      while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
      line.erase(at, end + 1 - at);
    }
    out += line + "\n";
  }
  return out;
}

// A copy of the shipped rules in `dir` with every message and message variant
// replaced by one wording that names no network, bridge or disk.
void write_reworded_rules(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(fixture("../rules"))) {
    if (entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path());
    std::ofstream out(dir / entry.path().filename());
    std::string line;
    bool variants = false;
    while (std::getline(in, line)) {
      if (line == "    messages:") variants = true;
      else if (line.rfind("      ", 0) != 0) variants = false;
      const size_t colon = line.find(": \"");
      const bool message = line.rfind("    message: ", 0) == 0 || (variants && line.rfind("      ", 0) == 0);
      if (message && colon != std::string::npos)
        line = line.substr(0, colon) + ": \"reworded: {vm} cannot go to {destination} this way\"";
      out << line << "\n";
    }
  }
}

bool dot_installed() { return run_process({"sh", "-c", "command -v dot"}).exit_code == 0; }

}  // namespace

BOOST_AUTO_TEST_CASE(cluster1_shows_the_bridge_and_the_shared_disk_that_block_in_red) {
  const auto r = picture("cluster1", "hostB");
  BOOST_TEST(r.exit_code == 1, r.err);  // the picture keeps the check's exit status
  BOOST_TEST(r.out.rfind("digraph \"preflight\" {\n", 0) == 0, r.out);
  BOOST_TEST(well_formed(r.out), r.out);
  BOOST_TEST(has(r.out, "preflight check: cluster1 from hostA to hostB: NO-GO"));
  BOOST_TEST(has(r.out, "subgraph \"cluster_source\""));
  BOOST_TEST(has(r.out, "subgraph \"cluster_destination\""));

  // br-stor has no physical NIC on hostB: that link blocks, named by its rule.
  const std::string bridge = edge_line(r.out, "source/bridge/br-stor", "destination/bridge/br-stor");
  BOOST_TEST(has(bridge, "color=\"red\""), bridge);
  BOOST_TEST(has(bridge, "label=\"network.uplink\""), bridge);
  BOOST_TEST(has(r.out, "\"destination/bridge/br-stor\" [label=\"bridge br-stor\\nno members\\nno physical NIC\""));
  // The quorum disk is <shareable/>; the other disk and the network are fine.
  const std::string quorum = edge_line(r.out, "source/disk/vdb", "destination/pool/prod");
  BOOST_TEST(has(quorum, "color=\"red\""), quorum);
  BOOST_TEST(has(quorum, "label=\"storage.shareable\""), quorum);
  BOOST_TEST(edge_line(r.out, "source/disk/vda", "destination/pool/prod") ==
             "  \"source/disk/vda\" -> \"destination/pool/prod\" [color=\"green\"];");
  BOOST_TEST(has(edge_line(r.out, "source/network/prod", "destination/network/prod"), "color=\"green\""));
  // Both disks live in the NFS pool prod on each side.
  BOOST_TEST(has(r.out, "\"source/pool/prod\" [label=\"pool prod\\nnetfs nfs1.lab.example:/export/prod"));
  BOOST_TEST(has(r.out, "\"destination/pool/prod\" [label=\"pool prod\\nnetfs nfs1.lab.example:/export/prod"));
  // Nothing host-level blocks.
  BOOST_TEST(edge_line(r.out, "vm", "destination") == "  \"vm\" -> \"destination\" [color=\"green\"];");
}

BOOST_AUTO_TEST_CASE(host_level_blocks_label_the_vm_to_destination_edge) {
  const auto r = picture("db1", "hostB");
  BOOST_TEST(r.exit_code == 1, r.err);
  const std::string move = edge_line(r.out, "vm", "destination");
  BOOST_TEST(has(move, "color=\"red\""), move);
  BOOST_TEST(has(move, "label=\"cpu.features\\nplacement.affinity\\nresources.memory\""), move);
  BOOST_TEST(has(move, "tooltip=\"cpu.features: db1 sees CPU features that hostB does not offer kvm guests"), move);
  BOOST_TEST(has(r.out, "\"vm\" [label=\"db1\\nVM, running\\n32 GiB, 8 vCPU\""));
}

BOOST_AUTO_TEST_CASE(a_missing_network_is_a_dashed_red_node_and_a_copy_is_orange) {
  const auto r = picture("lab3", "hostA");
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(has(r.out, "\"destination/network/isolated\" [label=\"network isolated\\nmissing on hostA\", "
                        "shape=\"ellipse\", style=\"dashed,rounded\", color=\"red\""),
             r.out);
  BOOST_TEST(has(edge_line(r.out, "source/network/isolated", "destination/network/isolated"),
                 "label=\"network.present\""));
  const std::string copy = edge_line(r.out, "source/disk/vda", "destination/pool/default");
  BOOST_TEST(has(copy, "color=\"orange\""), copy);
  BOOST_TEST(has(copy, "label=\"storage.shared\""), copy);
  BOOST_TEST(has(edge_line(r.out, "vm", "destination"), "label=\"cpu.vendor\\ncpu.features\""));
}

BOOST_AUTO_TEST_CASE(a_clean_move_has_no_red_and_exit_0) {
  const auto r = picture("web1", "hostB");
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(well_formed(r.out), r.out);
  BOOST_TEST(!has(r.out, "color=\"red\""), r.out);
  BOOST_TEST(has(r.out, "\"destination/network/prod\" [label=\"network prod\\nport group web\\nforward bridge, bridge br0\""),
             r.out);
}

BOOST_AUTO_TEST_CASE(names_are_quoted_for_dot) {
  HostFacts a, b;
  a.name = "host \"A\"";
  b.name = "back\\slash";
  a.networks = std::vector<NetworkFacts>{{"net \"q\"", "nat", "", {}, {}, {}, true}};
  b.networks = std::vector<NetworkFacts>{};
  VmFacts vm;
  vm.name = "vm \"1\"";
  vm.state = "running";
  vm.memory_kib = 1024 * 1024;
  vm.vcpus = 1;
  vm.interfaces.push_back({"network", "net \"q\"", "", "", "", "52:54:00:00:00:01", "virtio"});
  Verdict v;
  v.vm = vm.name, v.source = a.name, v.destination = b.name;
  Finding f;
  f.rule = "network.present";
  f.status = Status::block;
  f.message = "lacks network 'net \"q\"'";
  f.evidence = {{"missing", {"network 'net \"q\"'"}}};
  f.subjects = {{Subject::Kind::network, "net \"q\""}};
  v.results.push_back(f);

  const std::string dot = render_dot(v, a, b, vm);
  BOOST_TEST(well_formed(dot), dot);
  BOOST_TEST(has(dot, "label=\"host \\\"A\\\" (source)\""), dot);
  BOOST_TEST(has(dot, "label=\"back\\\\slash (destination)\""), dot);
  BOOST_TEST(has(dot, "\"vm\" [label=\"vm \\\"1\\\"\\nVM, running\\n1 GiB, 1 vCPU\""), dot);
  const std::string edge = edge_line(dot, "source/network/net \\\"q\\\"", "destination/network/net \\\"q\\\"");
  BOOST_TEST(has(edge, "color=\"red\""), dot);
  BOOST_TEST(has(edge, "label=\"network.present\""), edge);

  BOOST_TEST(dot_quote("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"");
}

BOOST_AUTO_TEST_CASE(findings_are_placed_by_their_subjects_not_their_text) {
  HostFacts a, b;
  a.name = "hostA", b.name = "hostB";
  a.networks = b.networks = std::vector<NetworkFacts>{{"prod", "bridge", "br0", {}, {}, {}, true}};
  VmFacts vm;
  vm.name = "vm1";
  vm.interfaces.push_back({"network", "prod", "", "", "", "52:54:00:00:00:01", "virtio"});
  DiskFacts vda;
  vda.type = "file", vda.device = "disk", vda.target = "vda", vda.source = "/var/lib/images/vda.qcow2";
  DiskFacts vdb = vda;
  vdb.target = "vdb", vdb.source = "/var/lib/images/vdb.qcow2";
  vm.disks = {vda, vdb};
  Verdict v;
  v.vm = vm.name, v.source = a.name, v.destination = b.name;
  // Its text names nothing; its subject is disk vdb.
  Finding about_vdb;
  about_vdb.rule = "storage.shareable";
  about_vdb.status = Status::block;
  about_vdb.message = "a disk is shared";
  about_vdb.subjects = {{Subject::Kind::disk, "vdb"}};
  // Its text names network 'prod' and disk vda the way the checks write them; it
  // has no subject, so it is host-level.
  Finding wordy;
  wordy.rule = "network.same-segment";
  wordy.status = Status::warn;
  wordy.message = "network 'prod' and vda differ";
  wordy.evidence = {{"differ", {"network 'prod': hostA 10.0.0.0/24, hostB 10.1.0.0/24"}}, {"disks", {"vda (x)"}},
                    {"target", "vda"}};
  v.results = {about_vdb, wordy};

  const std::string dot = render_dot(v, a, b, vm);
  const std::string vdb_edge = edge_line(dot, "source/disk/vdb", "destination/disk/vdb");
  BOOST_TEST(has(vdb_edge, "color=\"red\""), dot);
  BOOST_TEST(has(vdb_edge, "label=\"storage.shareable\""), vdb_edge);
  BOOST_TEST(!has(edge_line(dot, "source/disk/vda", "destination/disk/vda"), "network.same-segment"), dot);
  BOOST_TEST(edge_line(dot, "source/network/prod", "destination/network/prod") ==
             "  \"source/network/prod\" -> \"destination/network/prod\" [color=\"green\"];");
  const std::string move = edge_line(dot, "vm", "destination");
  BOOST_TEST(has(move, "color=\"orange\""), move);
  BOOST_TEST(has(move, "label=\"network.same-segment\""), move);
}

BOOST_AUTO_TEST_CASE(rewording_the_rules_messages_moves_no_edge) {
  test::TempDir rules("preflight-reworded-rules");
  write_reworded_rules(rules.path);
  for (const auto& [vm, destination] : std::vector<std::pair<std::string, std::string>>{
           {"cluster1", "hostB"}, {"db1", "hostB"}, {"lab3", "hostA"}, {"web1", "hostB"}}) {
    BOOST_TEST_CONTEXT(vm << " -> " << destination) {
      const auto shipped = picture(vm, destination);
      const auto reworded = picture(vm, destination, rules.path.string());
      BOOST_TEST(reworded.exit_code == shipped.exit_code, reworded.err);
      BOOST_TEST(!edges_without_tooltips(shipped.out).empty());
      BOOST_TEST(edges_without_tooltips(reworded.out) == edges_without_tooltips(shipped.out));
      // The copy was read: a non-passing finding's tooltip quotes the new wording.
      if (shipped.exit_code != 0) BOOST_TEST(has(reworded.out, "reworded: " + vm + " cannot go to"), reworded.out);
    }
  }
}

BOOST_AUTO_TEST_CASE(graphviz_renders_it_when_installed) {
  if (!dot_installed()) {
    BOOST_TEST_MESSAGE("graphviz 'dot' is not installed: rendering not tried");
    return;
  }
  for (const std::string vm : {"cluster1", "db1", "web1"}) {
    const auto r = picture(vm, "hostB");
    const auto svg = run_process({"dot", "-Tsvg"}, {}, r.out);
    BOOST_TEST(svg.exit_code == 0, vm + ": " + svg.err);
    BOOST_TEST(has(svg.out, "<svg"), vm);
  }
}

BOOST_AUTO_TEST_CASE(check_help_shows_how_to_render) {
  const auto r = run_preflight({"check", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(has(r.out, "preflight check db1 hostB -o dot | dot -Tsvg > db1.svg"), r.out);
  BOOST_TEST(run_preflight({"--inventory", fixture("lab/preflight.yaml"), "check", "web1", "hostB", "-o", "svg"})
                 .exit_code == 2);
}
