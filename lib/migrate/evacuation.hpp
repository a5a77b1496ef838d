#pragma once
// Where each VM of a host being evacuated goes (`preflight migrate --evacuate`).
// Pure: the host facts are given, and so is the check of one VM on one candidate
// (the rules engine, wired by the caller); no I/O, no clock.
//
// The mode decides which VMs are in scope: live, copy-storage and quick move the
// running VMs, offline the shut-off ones; a VM in the other of those two states
// is skipped (it stays, and does not count as a failure), a VM in any other
// state (paused, crashed...) is unplaced: a move of it needs a person.
//
// Placement goes largest VM first (memory; then by name), so that the big ones
// find room; the moves start in another order (order_moves_by_estimate). A candidate that already has a domain of the VM's name is no-go
// without a check (the Migrator would refuse the move). A candidate qualifies on
// a go verdict (warn too with accept_warnings); among those, go beats warn, then
// the most free memory left after the VM arrives, then target order. Each pick
// is committed to the destination's facts before the next VM is checked: its
// free memory shrinks by the VM's memory plus the overhead, and the VM counts
// among its running domains (vCPU overcommit), so the engine's own memory and
// vCPU rules see what earlier picks took. An offline move commits nothing (a
// shut-off VM uses no memory).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "facts/host_facts.hpp"
#include "move/evacuation_plan.hpp"
#include "move/migration_mode.hpp"

namespace preflight {

// `destination` carries the commitments of the picks made so far.
using CheckCandidate = std::function<CandidateCheck(const VmFacts& vm, const HostFacts& destination)>;

struct EvacuationInput {
  const HostFacts* source = nullptr;
  std::vector<EvacuationTarget> targets;  // the source itself must not be among them
  MigrationMode mode = MigrationMode::live;
  bool accept_warnings = false;
  std::uint64_t memory_overhead_kib = 0;  // added to each VM's memory when committed
};

// Throws Error when the source's VM list is unknown (nothing can be decided).
// plan.move_order comes out in placement order; order_moves_by_estimate reorders it.
EvacuationPlan plan_evacuation(const EvacuationInput& input, const CheckCandidate& check);

// The estimate of moving a placed VM to its destination; throws Error saying why when
// none can be made (kept as the placement's estimate_missing).
using EstimateMove = std::function<PlannedEstimate(const VmPlacement& placed)>;

// Sets each placed VM's estimate and orders plan.move_order by it: the shortest
// estimated move first, so that most VMs have left the host early (a host being
// evacuated may be failing, and a short move that fails shows a fault before long
// moves hold the slots); moves not expected to converge, then moves without an
// estimate, last. Equal estimates keep the placement order.
void order_moves_by_estimate(EvacuationPlan& plan, const EstimateMove& estimate);

// The limit of simultaneous moves touching one host (as source or destination):
// per_host_fast when its migration link is at least 10 Gbit/s, else per_host;
// an unknown speed counts as slow.
int host_move_limit(std::optional<double> link_gbit, int per_host, int per_host_fast);

}  // namespace preflight
