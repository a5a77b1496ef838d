#pragma once
// From a check and the inventory to what the Migrator takes: the request, the
// verdict, and the URIs of the hosts.
#include <string>

#include "facts/host_facts.hpp"
#include "inventory/inventory.hpp"
#include "move/migrate_options.hpp"
#include "move/migration_request.hpp"
#include "move/move_verdict.hpp"
#include "rules/verdict.hpp"

namespace preflight {

// Moving `vm` from `source` to `destination` with the mode and limits of `o`.
// Throws Error for a bad mode.
MigrationRequest make_request(const MigrateOptions& o, const std::string& vm, const InventoryHost& source,
                              const InventoryHost& destination);

// The check's verdict as the migrator takes it; a check that could not decide is no-go.
MoveVerdict to_move_verdict(const Verdict& v);

bool may_move(const MoveVerdict& v, bool accept_warnings);

// The estimate of moving `vm` from `source` to `destination` under the bandwidth cap
// and downtime limit of `o` (check's summary estimate), and its form in a request:
// one estimate for a single move, an evacuation's order and the journal.
Estimate estimate_move_for(const VmFacts& vm, const InventoryHost* source, const InventoryHost* destination,
                           const HostFacts* source_facts, const HostFacts* destination_facts,
                           const MigrateOptions& o);
PlannedEstimate planned_estimate(const Estimate& e);

// The URI preflight connects to for writing; throws Error for a host known only
// from files, which cannot move VMs.
const std::string& libvirt_uri(const InventoryHost& h, const std::string& vm);

// How another host's libvirtd reaches `h` for a peer-to-peer move: its
// migrate_uri, else its libvirt URI.
std::string peer_uri(const InventoryHost& h);

}  // namespace preflight
