#pragma once
// Where each VM of a host being evacuated goes, as decided before the first move:
// plain data. The planning is migrate/evacuation.hpp, the job migrate/evacuate_job.hpp.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"

namespace preflight {

// One host a VM may go to: its facts, or why it cannot take VMs (not readable,
// no libvirt URI). `facts` is copied: the plan commits its picks to the copy.
struct EvacuationTarget {
  std::string name;
  std::optional<HostFacts> facts;
  std::string unusable;  // why, when facts is empty
};

// The check of one VM on one candidate, as the migrator takes it.
struct CandidateCheck {
  MoveVerdict verdict;
  // A fact the check needs is unknown and nothing blocks: the host might take the
  // VM or not. A host with a blocking finding is a no, whatever else is unknown.
  bool undecided = false;
};

struct CandidateResult {
  std::string host;
  CandidateCheck check;                    // for an unusable host: no-go, undecided, its reason
  std::optional<std::uint64_t> free_after_kib;  // free memory once the VM is there; empty when unknown
  bool qualifies = false;
};

enum class Placement {
  placed,    // `destination` chosen
  unplaced,  // in scope, but no candidate qualifies (or its state forbids a move)
  skipped,   // out of the mode's scope (running under --mode offline, shut off otherwise)
};

std::string to_string(Placement p);  // "placed" | "unplaced" | "skipped"

struct VmPlacement {
  std::string vm;
  std::string state;  // as the source's facts say
  std::uint64_t memory_kib = 0;
  Placement placement = Placement::unplaced;
  std::string destination;                // when placed
  CandidateCheck chosen;                  // the destination's check, when placed
  std::string why;                        // unplaced or skipped: one line
  std::vector<CandidateResult> candidates;  // in target order; empty when skipped or its state forbids a move
  // The move's estimate to its destination (the one `preflight migrate` makes of a
  // single move), when placed; it orders the moves and is journaled with each.
  std::optional<PlannedEstimate> estimate;
  std::string estimate_missing;  // why there is no estimate (empty when there is one)
  // Unplaced while some candidate could not be decided: a missing fact, not a no.
  bool undecided() const;
};

struct EvacuationPlan {
  std::string source;
  std::vector<VmPlacement> vms;  // every VM of the source, by name
  // Indexes into vms of the placed VMs, in the order to start them: shortest
  // estimated move first, moves not expected to converge last, then placement order
  // (largest first, then by name) -- order_moves_by_estimate (migrate/evacuation.hpp).
  std::vector<size_t> move_order;
  // Targets after the plan's commitments.
  std::vector<EvacuationTarget> targets;
};

struct HostLimit {
  int limit = 4;
  std::string why;  // "--concurrency", "link 10 Gbit/s", "link speed unknown"
};

// Everything decided before the first move.
struct Evacuation {
  const InventoryHost* source = nullptr;  // points into the inventory given to plan_host_evacuation
  EvacuationPlan plan;
  std::map<std::string, HostLimit> limits;  // the source and every target
};

// The libvirt call (and quick's extra steps) of each planned move, in start
// order: (index into plan.vms, the steps).
using MoveSteps = std::vector<std::pair<size_t, std::vector<std::string>>>;

}  // namespace preflight
