// preflight __complete -- WORD... CURRENT: the candidates for the word being typed,
// one a line, for the shell completion scripts of completion/. Hidden from the help.
// Commands, options, formats and modes come from this program's own option tables;
// host and VM names from the inventory and its files (collect/known_names: nothing
// is connected to). Prints nothing when it has nothing to offer (the shell then
// offers file names).
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "collect/known_names.hpp"
#include "core/text.hpp"
#include "rules/rule.hpp"

namespace preflight::cli {
namespace {

bool is_option(const std::string& w) { return w.size() > 1 && w[0] == '-'; }

// The option named `word` ("--from", "-o") of `level` or of a command above it (the
// program's options are taken after a command too); null when none.
const CLI::Option* find_option(const CLI::App* level, const std::string& word) {
  for (const CLI::App* a = level; a; a = a->get_parent())
    if (const CLI::Option* o = a->get_option_no_throw(word)) return o;
  return nullptr;
}

// The command `name` of `level`, not a hidden one; null when none.
const CLI::App* find_command(const CLI::App* level, const std::string& name) {
  const auto found = level->get_subcommands(
      [&name](const CLI::App* s) { return s->get_name() == name && !s->get_group().empty(); });
  return found.empty() ? nullptr : found.front();
}

std::vector<std::string> visible_commands(const CLI::App* level) {
  std::vector<std::string> names;
  for (const CLI::App* s : level->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    names.push_back(s->get_name());
  return names;
}

// The values an option takes, when they are names or a fixed list; empty for a
// file or a number (the shell offers files).
std::vector<std::string> option_values(const CLI::Option& o, Context& ctx) {
  const std::string name = o.get_lnames().empty() ? "" : o.get_lnames().front();
  if (name == "output") {
    // add_output_option's help starts with the formats: "text|json|junit (default text): ..."
    const std::string d = o.get_description();
    return split(d.substr(0, d.find(' ')), '|');
  }
  // A set checked by CLI::IsMember names its members in the type: "TEXT:{live,quick}".
  const std::string type = o.get_type_name();
  if (const size_t open = type.find(":{"); open != std::string::npos && type.back() == '}')
    return split(type.substr(open + 2, type.size() - open - 3), ',');
  if (name == "from" || name == "to" || name == "hosts" || name == "evacuate") {
    if (const Inventory* inv = ctx.inventory()) return inv->names();
  }
  return {};
}

std::vector<std::string> candidates(const CLI::App& app, Context& ctx, const std::vector<std::string>& words) {
  const std::string current = words.empty() ? "" : words.back();
  const CLI::App* level = &app;
  const CLI::Option* value_of = nullptr;  // the option whose value `current` is
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (is_option(w)) {
      const std::string name = w.substr(0, w.find('='));
      const CLI::Option* o = find_option(level, name);
      if (name == "--inventory" && w.find('=') != std::string::npos) ctx.options.inventory = w.substr(w.find('=') + 1);
      if (!o || o->get_type_size() == 0 || w.find('=') != std::string::npos) continue;
      if (i + 1 == words.size() - 1) value_of = o;
      else if (name == "--inventory") ctx.options.inventory = words[i + 1];
      ++i;
    } else if (const CLI::App* sub = find_command(level, w)) {
      level = sub;
    }
  }
  if (value_of) return option_values(*value_of, ctx);
  if (is_option(current) || current == "-") {
    std::vector<std::string> names;
    for (const CLI::App* a = level; a; a = a->get_parent())
      for (const CLI::Option* o : a->get_options()) {
        for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
        for (const std::string& s : o->get_snames()) names.push_back("-" + s);
      }
    return names;
  }
  if (std::vector<std::string> commands = visible_commands(level); !commands.empty()) {
    if (level == &app) commands.insert(commands.end(), {"help", "version"});
    return commands;
  }
  if (level->get_name() == "explain") {
    try {
      return load_rule_catalog(ctx.options.rules_dir.empty() ? default_rules_dir() : ctx.options.rules_dir).ids();
    } catch (const std::exception&) {
      return {};
    }
  }
  // A VM or a host (which one depends on the command and the position): both.
  std::vector<std::string> names;
  if (const Inventory* inv = ctx.inventory()) {
    names = inv->names();
    for (std::string& vm : known_vm_names(*inv)) names.push_back(std::move(vm));
  }
  return names;
}

}  // namespace

void register_complete(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("__complete", "candidates for the word being typed (for completion/)");
  cmd->group("");  // hidden
  auto words = std::make_shared<std::vector<std::string>>();
  cmd->add_option("WORDS", *words, "the words after 'preflight', the last the one being typed (after --)");
  cmd->callback([&app, &ctx, words] {
    std::vector<std::string> found;
    try {
      found = candidates(app, ctx, *words);
    } catch (const std::exception&) {
      return;  // an unreadable inventory: nothing to offer, and no message in the prompt
    }
    const std::string current = words->empty() ? "" : words->back();
    std::vector<std::string> printed;
    for (const std::string& c : found)
      if (c.rfind(current, 0) == 0 && std::find(printed.begin(), printed.end(), c) == printed.end()) {
        printed.push_back(c);
        std::cout << c << "\n";
      }
  });
}

}  // namespace preflight::cli
