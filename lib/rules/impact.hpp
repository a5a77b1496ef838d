#pragma once
// Change impact (issue 13): what a change of hosts -- new firmware, microcode, kernel,
// QEMU/libvirt, cpu_map, or a host added, removed or replaced -- does to what guests
// can get and to where VMs can move. Every move is judged by the CPU rules of the
// rule engine (cpu.vendor, cpu.features, cpu.firmware, cpu.passthrough), the same
// judgement `preflight check` makes (cpu/guest_cpu_judgement.hpp), once with the
// facts before and once after. Pure: facts in, results out.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "cpu/cpu_catalog.hpp"
#include "cpu/cpu_compare.hpp"
#include "facts/host_facts.hpp"
#include "rules/policy.hpp"
#include "rules/rule.hpp"

namespace preflight {

// A move is possible (go or warn), not (no-go), or cannot be told (undecided).
enum class Mobility { yes, no, undecided, absent };  // absent: the VM or host is not in that world
const char* to_string(Mobility m);

// A fact that changed: what, before, after ("" = unknown or absent).
struct FactChange {
  std::string kind;  // microcode | firmware | kernel | hypervisor | cpu | cpu_map
  std::string what;  // e.g. "firmware.tsx", "hypervisor.libvirt_version"
  std::string before, after;
};

// Features a guest of one CPU mode gets before and after.
struct ModeChange {
  std::string mode;  // "host-model (kvm)" | "host-passthrough" | "x86-64 level"
  std::vector<std::string> gained;
  std::vector<MissingFeature> lost;  // each with its cause on the host after the change
  int level_before = 0, level_after = 0;  // x86-64 level of what the mode gives
  std::string unknown;  // why the mode could not be compared; empty when it could
};

// A named CPU model that became usable or unusable for guests of the host.
struct ModelChange {
  std::string model;
  bool usable_before = false, usable_after = false;
  std::vector<MissingFeature> lacking;  // after: the features of the model the host no longer offers
};

struct HostImpact {
  std::string host;
  std::vector<FactChange> facts;
  std::vector<ModeChange> modes;
  std::vector<ModelChange> models;
  std::vector<std::string> notes;  // what could not be computed, and why
  bool changed() const { return !facts.empty() || !modes.empty() || !models.empty(); }
};

// A cpu_map model whose definition differs between two cpu_map folders.
struct ModelDefinitionChange {
  std::string model;
  std::vector<std::string> added, removed;  // feature names
  bool only_old = false, only_new = false;  // the model is in one folder only
};

// One VM's move to one host (to == from: starting again on its own host).
struct MoveChange {
  std::string vm;
  std::string from_before, from_after;  // its host in each world ("" when absent)
  std::string to;
  Mobility before = Mobility::absent, after = Mobility::absent;
  std::vector<std::string> why_before, why_after;  // messages of the CPU rules that block or cannot decide
  bool lost() const { return before == Mobility::yes && after == Mobility::no; }
  bool gained() const { return before == Mobility::no && after == Mobility::yes; }
  bool undecided() const { return before != after && (after == Mobility::undecided || before == Mobility::undecided); }
};

// A guest that sees a different CPU after a restart or a move: its definition names
// a model whose cpu_map definition changed, or it takes the CPU of its host
// (host-model, host-passthrough) and that host's changed (model empty).
struct GuestDefinitionChange {
  std::string vm, host, model, mode;
  std::vector<std::string> added, removed;
};

// Where each VM can go: the number of hosts (other than its own) it can move to.
struct VmReach {
  std::string vm, host;  // its host after (before when it is gone)
  int before = 0, after = 0;
  int undecided_before = 0, undecided_after = 0;
};

struct PoolBaseline {
  std::vector<std::string> hosts;
  std::string model;     // the named model the baseline maps to; empty when none
  std::string vendor;
  int level = 0;
  std::vector<std::string> features;  // names
  std::string error;     // why there is none (vendors differ, no host)
};

// A pool's baseline CPU (the hosts without a pool form the pool "") before and after.
struct PoolDrift {
  std::string pool;
  PoolBaseline before, after;
  std::vector<std::string> features_lost, features_gained;
};

struct Impact {
  std::vector<HostImpact> hosts;  // every host in both worlds whose facts differ, in order
  std::vector<std::string> added_hosts, removed_hosts;
  std::vector<ModelDefinitionChange> cpu_map;  // with an old cpu_map folder only
  std::vector<GuestDefinitionChange> guests;
  std::vector<MoveChange> moves;                // the moves whose judgement changed
  std::vector<VmReach> reach;                   // every VM, in host order
  std::vector<PoolDrift> pools;                 // the pools with a changed, added or removed host
  std::vector<std::string> notes;
  size_t lost() const;
  size_t gained() const;
  size_t undecided() const;
  // 1 some VM loses a move, 2 none loses one but some judgement is undecided, 0 else.
  int exit_status() const;
};

struct ImpactSetup {
  const RuleCatalog& rules;  // the CPU rules (cpu.*) are used; the others are ignored
  const Policy& policy;
  const CpuCatalog& catalog;          // the cpu_map of the world after
  const CpuCatalog* old_catalog = nullptr;  // the cpu_map of the world before; null: the same
  std::chrono::year_month_day today;
};

// Compares two worlds of hosts (matched by name). Only the moves whose source or
// destination changed (or every move when the cpu_maps differ) are judged twice.
Impact compute_impact(const std::vector<HostFacts>& before, const std::vector<HostFacts>& after, const ImpactSetup& setup);

// Whether a move of `vm` from `source` to `destination` passes the CPU rules, with
// the messages of the findings that block or cannot decide.
Mobility judge_mobility(const VmFacts& vm, const HostFacts& source, const HostFacts& destination,
                        const RuleCatalog& cpu_rules, const Policy& policy, const CpuCatalog& catalog,
                        std::chrono::year_month_day today, std::vector<std::string>* why);

// The cpu.* rules of `rules`.
RuleCatalog cpu_rules_of(const RuleCatalog& rules);

// ---- whatif: a pool before and after adding, removing or replacing hosts ----


struct VmMaskAdvice {
  std::string vm, host;
  std::vector<std::string> cannot_reach;  // hosts of the pool (after) it could not move to
  std::vector<std::string> why;           // the blocking messages
  std::string mask;        // the model and what it gives up, e.g. "Haswell-noTSX-IBRS without avx512f ..."
  std::string mask_libvirt;  // one-line libvirt <cpu>
  std::vector<std::string> gives_up;
  std::string error;       // why no mask could be computed
};

struct PoolImpact {
  std::string pool;
  PoolBaseline before, after;
  std::vector<std::string> features_lost, features_gained;  // baseline after vs before
  std::vector<VmMaskAdvice> vms;  // the VMs that fitted every host before and no longer do
  std::vector<std::string> undecided;  // VMs whose fit cannot be told after
};

struct WhatIf {
  std::vector<std::string> added, removed, replaced;
  std::vector<PoolImpact> pools;
  Impact impact;  // the moves judged in both worlds
  int exit_status() const;  // 1 when a VM no longer fits its pool, 2 undecided, 0 else
};

// `pool`: only that pool (empty: every pool touched by the change; hosts without a
// pool form the pool "").
WhatIf compute_whatif(const std::vector<HostFacts>& before, const std::vector<HostFacts>& after,
                      const std::string& pool, const ImpactSetup& setup);

}  // namespace preflight
