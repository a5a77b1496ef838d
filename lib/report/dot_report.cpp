#include "report/dot_report.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "report/finding_text.hpp"
#include "rules/storage_sharing.hpp"

namespace preflight {
namespace {

using nlohmann::json;

// Whether `f` is about `item` (its subjects name it; its text is not read).
bool is_about(const Finding& f, const Subject& item) {
  return std::find(f.subjects.begin(), f.subjects.end(), item) != f.subjects.end();
}

bool counts(const Finding& f) {
  return f.status == Status::block || f.status == Status::warn || f.status == Status::error ||
         f.status == Status::waived;
}

// The attributes of an edge carrying `findings` (non-passing ones only).
std::string edge_attrs(std::vector<const Finding*> findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding* a, const Finding* b) { return report_rank(a->status) < report_rank(b->status); });
  if (findings.empty()) return "color=\"green\"";
  const Status worst = findings.front()->status;
  std::string label, tooltip;
  for (const Finding* f : findings) {
    const std::string suffix = f->status == Status::error ? " (unknown)" : f->status == Status::waived ? " (waived)" : "";
    label += (label.empty() ? "" : "\n") + f->rule + suffix;
    tooltip += (tooltip.empty() ? "" : "\n") + f->rule + ": " + finding_message(*f);
  }
  const char* color = worst == Status::warn ? "orange" : worst == Status::waived ? "blue" : "red";
  std::string a = fmt::format("color=\"{}\", fontcolor=\"{}\", penwidth=2, label={}, tooltip={}", color, color,
                              dot_quote(label), dot_quote(tooltip));
  if (worst == Status::error) a += ", style=\"dashed\"";
  return a;
}

std::string gib(uint64_t kib) { return fmt::format("{:g} GiB", static_cast<double>(kib) / (1024.0 * 1024.0)); }

std::string pool_label(const PoolFacts& p) {
  std::string s = "pool " + p.name + "\n" + p.type;
  std::string hosts;
  for (const auto& h : p.source.hosts) hosts += (hosts.empty() ? "" : ",") + h;
  if (!hosts.empty()) s += " " + hosts + (p.source.dir.empty() ? "" : ":" + p.source.dir);
  if (!p.source.name.empty()) s += " " + p.source.name;
  if (!p.target_path.empty()) s += "\n" + p.target_path;
  return s;
}

const NetworkFacts* find_network(const HostFacts& h, const std::string& name) {
  if (const auto* nets = h.networks.get())
    for (const auto& n : *nets)
      if (n.name == name) return &n;
  return nullptr;
}

const BridgeFacts* find_bridge(const HostFacts& h, const std::string& name) {
  if (const auto* bridges = h.bridges.get())
    for (const auto& b : *bridges)
      if (b.name == name) return &b;
  return nullptr;
}

// `portgroups`: those the VM uses, each marked when `n` lacks it.
std::string network_label(const NetworkFacts& n, const std::vector<std::string>& portgroups) {
  std::string s = "network " + n.name;
  for (const auto& pg : portgroups) {
    const bool has = std::any_of(n.portgroups.begin(), n.portgroups.end(), [&](const PortGroup& p) { return p.name == pg; });
    s += "\nport group " + pg + (has ? "" : ": missing");
  }
  s += "\n" + (n.forward_mode.empty() ? std::string("isolated") : "forward " + n.forward_mode);
  if (!n.bridge.empty()) s += ", bridge " + n.bridge;
  return s;
}

std::string bridge_label(const BridgeFacts& b) {
  std::string members;
  for (const auto& m : b.members)
    members += (members.empty() ? "" : ", ") + m.name + (m.physical.known() && m.physical.value() ? " (NIC)" : "");
  const bool nic = std::any_of(b.members.begin(), b.members.end(),
                               [](const BridgeMember& m) { return m.physical.known() && m.physical.value(); });
  return "bridge " + b.name + "\n" + (members.empty() ? "no members" : members) + (nic ? "" : "\nno physical NIC");
}

class DotWriter {
 public:
  void node(const std::string& id, const std::string& label, const std::string& attrs = {}) {
    if (!seen_.insert(id).second) return;
    body_ += fmt::format("    {} [label={}{}];\n", dot_quote(id), dot_quote(label), attrs.empty() ? "" : ", " + attrs);
  }
  void edge(const std::string& from, const std::string& to, const std::string& attrs) {
    edges_ += fmt::format("  {} -> {} [{}];\n", dot_quote(from), dot_quote(to), attrs);
  }
  // The nodes written so far, as a cluster subgraph.
  std::string take_cluster(const std::string& id, const std::string& label, const std::string& color) {
    std::string s = fmt::format("  subgraph {} {{\n    label={};\n    color=\"{}\";\n{}  }}\n", dot_quote(id),
                                dot_quote(label), color, body_);
    body_.clear();
    return s;
  }
  const std::string& edges() const { return edges_; }

 private:
  std::set<std::string> seen_;
  std::string body_, edges_;
};

}  // namespace

std::string dot_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (c != '\r') out += c;
  }
  return out + "\"";
}

std::string render_dot(const Verdict& v, const HostFacts& source, const HostFacts& destination, const VmFacts& vm) {
  DotWriter w;
  const std::string vm_id = "vm", src_id = "source", dst_id = "destination";
  std::vector<const Finding*> unplaced;
  for (const auto& f : v.results)
    if (counts(f)) unplaced.push_back(&f);
  // The findings about `item`; they are then no longer host-level.
  std::vector<const Finding*> placed;
  auto findings_of = [&](const Subject& item) {
    std::vector<const Finding*> out;
    for (const auto& f : v.results)
      if (counts(f) && is_about(f, item)) {
        out.push_back(&f);
        placed.push_back(&f);
      }
    return out;
  };
  const std::string missing_attrs = "style=\"dashed,rounded\", color=\"red\", fontcolor=\"red\"";

  // Source side: the VM, its networks and bridges, its disks and their pools.
  w.node(src_id, source.name + "\nsource host", "shape=\"box3d\"");
  w.node(vm_id,
         fmt::format("{}\nVM, {}\n{}, {} vCPU", vm.name, vm.state.empty() ? "state unknown" : vm.state,
                     gib(vm.memory_kib), vm.vcpus),
         "shape=\"component\", style=\"bold\"");
  w.edge(src_id, vm_id, "color=\"gray\", arrowhead=\"none\", style=\"dotted\"");

  struct NetUse {
    Subject item;
    std::vector<std::string> portgroups;
  };
  std::vector<NetUse> nets;
  for (const auto& i : vm.interfaces) {
    Subject item{Subject::Kind::network, ""};
    if (i.type == "network") item = {Subject::Kind::network, i.network};
    else if (i.type == "bridge") item = {Subject::Kind::bridge, i.bridge};
    else {
      const std::string id = fmt::format("source/interface/{}", i.mac.empty() ? i.type : i.mac);
      w.node(id, fmt::format("interface {}{}", i.type, i.device.empty() ? "" : " " + i.device), "shape=\"ellipse\"");
      w.edge(vm_id, id, "color=\"gray\"");
      continue;
    }
    auto it = std::find_if(nets.begin(), nets.end(),
                           [&](const NetUse& u) { return u.item == item; });
    if (it == nets.end()) it = nets.insert(nets.end(), NetUse{item, {}});
    if (!i.portgroup.empty() &&
        std::find(it->portgroups.begin(), it->portgroups.end(), i.portgroup) == it->portgroups.end())
      it->portgroups.push_back(i.portgroup);
  }
  struct CrossEdge {
    std::string from, to, attrs;
  };
  std::vector<CrossEdge> cross;
  DotWriter dw;  // destination nodes, kept apart until the source cluster is written
  for (const auto& u : nets) {
    const bool is_net = u.item.kind == Subject::Kind::network;
    const std::string kind = is_net ? "network" : "bridge";
    const std::string sid = "source/" + kind + "/" + u.item.name, did = "destination/" + kind + "/" + u.item.name;
    if (is_net) {
      const NetworkFacts* n = find_network(source, u.item.name);
      w.node(sid, n ? network_label(*n, u.portgroups) : "network " + u.item.name + "\nnot known on " + source.name,
             "shape=\"ellipse\"");
      const NetworkFacts* d = find_network(destination, u.item.name);
      dw.node(did, d ? network_label(*d, u.portgroups) : "network " + u.item.name + "\nmissing on " + destination.name,
              d ? "shape=\"ellipse\"" : "shape=\"ellipse\", " + missing_attrs);
    } else {
      const BridgeFacts* b = find_bridge(source, u.item.name);
      w.node(sid, b ? bridge_label(*b) : "bridge " + u.item.name + "\nnot known on " + source.name,
             "shape=\"hexagon\"");
      const BridgeFacts* d = find_bridge(destination, u.item.name);
      dw.node(did, d ? bridge_label(*d) : "bridge " + u.item.name + "\nmissing on " + destination.name,
              d ? "shape=\"hexagon\"" : "shape=\"hexagon\", " + missing_attrs);
    }
    w.edge(vm_id, sid, "color=\"gray\"");
    cross.push_back({sid, did, edge_attrs(findings_of(u.item))});
  }

  for (const auto& d : vm.disks) {
    const bool has_source = !d.source.empty() || (d.type == "volume" && !d.volume.empty());
    const std::string sid = "source/disk/" + d.target;
    std::string path = disk_path(d, source);
    if (path.empty()) path = d.source;
    std::string label = fmt::format("{} ({})\n{}", d.target, d.device, has_source ? path : "empty");
    if (d.shareable) label += "\nshareable";
    w.node(sid, label, "shape=\"note\"");
    w.edge(vm_id, sid, "color=\"gray\"");
    if (!has_source) continue;
    if (const PoolFacts* p = pool_of(d, source)) {
      const std::string pid = "source/pool/" + p->name;
      w.node(pid, pool_label(*p), "shape=\"cylinder\"");
      w.edge(sid, pid, "color=\"gray\", arrowhead=\"none\"");
    }
    std::string did;
    if (const PoolFacts* p = pool_of(d, destination)) {
      did = "destination/pool/" + p->name;
      dw.node(did, pool_label(*p), "shape=\"cylinder\"");
    } else if (d.type == "network") {
      did = "destination/disk/" + d.target;
      dw.node(did, fmt::format("{} over the network\n{}", d.protocol.empty() ? "disk" : d.protocol, d.source),
              "shape=\"cylinder\"");
    } else {
      did = "destination/disk/" + d.target;
      dw.node(did, fmt::format("{}: no pool holds\n{}", d.target, path), "shape=\"cylinder\", " + missing_attrs);
    }
    cross.push_back({sid, did, edge_attrs(findings_of(Subject{Subject::Kind::disk, d.target}))});
  }

  std::erase_if(unplaced, [&](const Finding* f) { return std::find(placed.begin(), placed.end(), f) != placed.end(); });
  dw.node(dst_id, destination.name + "\ndestination host", "shape=\"box3d\"");

  const std::string verdict = verdict_headline(v.verdict);
  std::string out = "digraph \"preflight\" {\n";
  out += fmt::format(
      "  graph [rankdir=\"LR\", labelloc=\"t\", fontname=\"Helvetica\", label={}];\n",
      dot_quote(fmt::format("preflight check: {} from {} to {}: {}\nred blocks (dashed: a fact is unknown), orange "
                            "warns, blue waived, green passes; edge labels name the rules",
                            v.vm, v.source, v.destination, verdict)));
  out += "  node [fontname=\"Helvetica\", shape=\"box\", style=\"rounded\"];\n";
  out += "  edge [fontname=\"Helvetica\"];\n";
  out += w.take_cluster("cluster_source", source.name + " (source)", "gray40");
  out += dw.take_cluster("cluster_destination", destination.name + " (destination)", "gray40");
  out += w.edges();
  out += dw.edges();
  for (const auto& e : cross) out += fmt::format("  {} -> {} [{}];\n", dot_quote(e.from), dot_quote(e.to), e.attrs);
  out += fmt::format("  {} -> {} [{}];\n", dot_quote(vm_id), dot_quote(dst_id), edge_attrs(unplaced));
  out += "}\n";
  return out;
}

}  // namespace preflight
