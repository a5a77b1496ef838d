#pragma once
// The check of one move, shared by `preflight check` and `preflight migrate`:
// collect the source and destination now, probe the migration link, run the rules.
#include <string>

#include "cli/command.hpp"
#include "inventory/inventory.hpp"
#include "rules/verdict.hpp"

namespace preflight::cli {

struct CheckRun {
  Verdict verdict;                      // with the pre-copy estimate filled in
  const InventoryHost* source = nullptr;       // the inventory host the VM is on
  const InventoryHost* destination = nullptr;  // never null after run_check
};

// `from` empty: the VM is looked for on every inventory host. Throws Error when a
// host or the VM is unknown, the VM is on several hosts, or the destination
// cannot be read; a fact that could not be collected is an error finding.
CheckRun run_check(Context& ctx, const std::string& vm, const std::string& destination, const std::string& from);

}  // namespace preflight::cli
