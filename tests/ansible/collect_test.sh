#!/usr/bin/env bash
# The Ansible role for real: Debian's ansible-core runs ansible/collect.yml against
# two aliases of this machine (connection local). Both are one machine with one
# hostname; they must come back as two hosts, by their inventory names, in an
# inventory preflight loads and decides on.
#   collect_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v ansible-playbook >/dev/null ||
  fail "ansible-playbook not found: install Debian's ansible-core (scripts/setup.sh does, as root)"

work=$(mktemp -d /tmp/preflight-ansible-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ANSIBLE_HOME=$work/ansible-home ANSIBLE_LOCAL_TEMP=$work/ansible-local ANSIBLE_REMOTE_TEMP=$work/ansible-remote
touch "$work/ansible.cfg"  # defaults only: no ansible.cfg of the folder or the user
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_PIPELINING=1
export XDG_CONFIG_HOME=/nonexistent-preflight-config NO_COLOR=1

# What the role copies: the program and its rules as `cmake --install` lays them out.
cmake --install "$build" --prefix "$work/stage" >/dev/null

python=/usr/bin/python3  # ansible-core's own interpreter
cat >"$work/hosts.ini" <<INI
[fleet]
alpha ansible_connection=local ansible_python_interpreter=$python
beta ansible_connection=local ansible_python_interpreter=$python preflight_inventory_entry='{"pool": "prod"}'
INI

playbook() {
  echo "$(date +%T) ansible-playbook $*" >&2
  ansible-playbook -i "$work/hosts.ini" "$src/ansible/collect.yml" \
    -e preflight_become=false -e "preflight_install_from=$work/stage" "$@"
}

# 1. Check mode: says what it would install, installs and collects nothing.
playbook --check -e "preflight_prefix=$work/opt-check" -e "preflight_facts_dir=$work/facts-check" >"$work/check.log" ||
  { cat "$work/check.log"; fail "the playbook in check mode failed"; }
[ ! -e "$work/opt-check/bin/preflight" ] || fail "check mode installed the program"
[ ! -e "$work/facts-check" ] || fail "check mode wrote the facts folder"

# 2. The real run.
facts=$work/facts
playbook -e "preflight_prefix=$work/opt" -e "preflight_facts_dir=$facts" >"$work/run.log" ||
  { cat "$work/run.log"; fail "the playbook failed"; }
[ -x "$work/opt/bin/preflight" ] || fail "the program was not installed under the prefix"
ls "$work/opt/share/preflight/rules/"*.yaml >/dev/null 2>&1 || fail "the rules were not installed under the prefix"
for h in alpha beta; do
  [ -s "$facts/$h.yaml" ] || fail "no facts fetched for $h"
done

inventory=$facts/preflight.yaml
echo "--- the inventory written:"; cat "$inventory"
grep -qx '  alpha:' "$inventory" || fail "the inventory does not name alpha"
grep -qx '  beta:' "$inventory" || fail "the inventory does not name beta"
grep -qx '    facts: alpha.yaml' "$inventory" || fail "alpha's entry does not point at alpha.yaml"
grep -qx '    pool: prod' "$inventory" || fail "beta's preflight_inventory_entry is not in the inventory"

# Both files are one machine: the same hostname inside. They stay two hosts.
h_alpha=$(grep -m1 '^  hostname:' "$facts/alpha.yaml") || fail "alpha.yaml has no host.hostname"
h_beta=$(grep -m1 '^  hostname:' "$facts/beta.yaml") || fail "beta.yaml has no host.hostname"
[ "$h_alpha" = "$h_beta" ] || fail "the two aliases report different hostnames: $h_alpha / $h_beta"

# 3. preflight loads the inventory and decides: two identical CPUs are one class,
# and the baseline of the two hosts is a decided answer naming both.
pf=$work/opt/bin/preflight  # the installed copy: it finds its rules under the prefix
"$pf" rules list >/dev/null || fail "the installed program cannot read its rules"
"$pf" --inventory "$inventory" matrix >"$work/matrix.txt" || { cat "$work/matrix.txt"; fail "matrix did not decide (exit $?)"; }
echo "--- matrix:"; cat "$work/matrix.txt"
grep -q alpha "$work/matrix.txt" && grep -q beta "$work/matrix.txt" || fail "matrix does not name both hosts"
"$pf" --inventory "$inventory" baseline alpha beta >"$work/baseline.txt" ||
  { cat "$work/baseline.txt"; fail "baseline of alpha and beta did not decide"; }

# 4. Idempotent: installing again changes nothing.
playbook --tags install -e "preflight_prefix=$work/opt" -e "preflight_facts_dir=$facts" >"$work/again.log" ||
  { cat "$work/again.log"; fail "the second install failed"; }
grep -Eq 'alpha +: ok=[0-9]+ +changed=0 ' "$work/again.log" && grep -Eq 'beta +: ok=[0-9]+ +changed=0 ' "$work/again.log" ||
  { cat "$work/again.log"; fail "a second install changed something"; }

echo "ok: two aliases of one machine collected as alpha and beta"
