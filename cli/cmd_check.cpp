// preflight check VM DEST [--from SRC]: collect both hosts now, probe the
// migration link, run the rules, print the verdict, exit 0 go / 1 no-go / 2 undecided.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "check/check_run.hpp"
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "report/dot_report.hpp"
#include "report/junit_report.hpp"
#include "report/text_report.hpp"
#include "report/verdict_json.hpp"

namespace preflight::cli {
namespace {

struct CheckOptions {
  std::string vm;
  std::string destination;
  std::string from;
  std::string mode;
};

// VM is a domain XML (names_domain_xml): a VM defined on no host yet, to start on DEST.
CheckRun run_new_vm(Context& ctx, const CheckOptions& o) {
  const auto not_for_file = [&](const char* what) {
    return Error(fmt::format("{} does not apply to {}: it is a domain XML, a VM defined on no host yet", what, o.vm),
                 "leave it out (a VM on a host is named by its name)");
  };
  if (!o.from.empty()) throw not_for_file("--from");
  if (!o.mode.empty()) throw not_for_file("--mode");
  if (ctx.options.output == "dot") throw not_for_file("-o dot");
  const Inventory& inv = ctx.require_inventory();
  CheckSetup setup = ctx.check_setup();
  if (o.vm == "-") return run_check_new_vm(inv, setup, ctx.standard_input(), "stdin", o.destination);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.vm, ec))
    throw Error(fmt::format("{}: no such file", o.vm),
                "a VM argument ending in .xml or holding a '/' is read as a domain XML file (`virsh dumpxml VM`)");
  return run_check_new_vm(inv, setup, read_file(o.vm), o.vm, o.destination);
}

void run(Context& ctx, const CheckOptions& o) {
  const CheckRun run = names_domain_xml(o.vm)
                           ? run_new_vm(ctx, o)
                           : run_check(ctx.require_inventory(), ctx.check_setup(), o.vm, o.destination, o.from, o.mode);
  const Verdict& verdict = run.verdict;
  const std::string& out = ctx.options.output;
  if (out == "json") ctx.print_json(verdict_to_json(verdict));
  else if (out == "dot") std::cout << render_dot(verdict, run.source_facts, run.destination_facts, run.vm);
  else if (out == "junit") std::cout << render_junit(verdict, ctx.options.strict);
  else std::cout << render_text(verdict, ctx.color(), ctx.text_width());
  std::cout.flush();
  ctx.exit_code = static_cast<int>(exit_code(verdict, ctx.options.strict));
}

}  // namespace

void register_check(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "decide whether a VM can move to (or start on) a host");
  cmd->add_option("VM", o->vm,
                  "the VM's name, or a domain XML file of a VM defined on no host yet (an argument ending in .xml or "
                  "holding a '/'; - is standard input)")
      ->required();
  cmd->add_option("DEST", o->destination, "destination host (inventory name)")->required();
  cmd->add_option("--from", o->from, "source host (default: the inventory host the VM is on)");
  cmd->add_option("--mode", o->mode, "judge this kind of move only (live|copy-storage|quick|offline); default: any way to move")
      ->check(CLI::IsMember({"live", "copy-storage", "quick", "offline"}));
  add_output_option(cmd, ctx, {"text", "json", "junit", "dot"}, "dot is a Graphviz picture of what blocks");
  cmd->add_flag("--strict", ctx.options.strict, "warnings block too (exit 1)");
  cmd->footer(
      "Exit status: 0 go (or warn), 1 no-go (warn too under --strict), 2 undecided: a fact a rule needs is\n"
      "unknown and no rule blocks, or the input is bad (the verdict says 'undecided'; JUnit counts those rules as\n"
      "errors, and under --strict the warnings as failures).\n"
      "Examples (the demo lab: --inventory fixtures/lab/preflight.yaml):\n"
      "  preflight check web1 hostB                  may web1 move to hostB?\n"
      "  preflight check db1 hostB -o json           the verdict with every rule's evidence\n"
      "  preflight check db1 hostB -o dot | dot -Tsvg > db1.svg   a picture: the VM, both hosts, networks,\n"
      "                                              storage; red edges block, labelled with the rule\n"
      "  preflight check fixtures/lab/new/db2.xml hostB   a VM defined on no host yet (a domain XML, e.g. from\n"
      "                                              virsh dumpxml), about to be deployed or restored: may it\n"
      "                                              start on hostB? The rules that compare a source host skip.");
  cmd->callback([&ctx, o] { run(ctx, *o); });
}

}  // namespace preflight::cli
