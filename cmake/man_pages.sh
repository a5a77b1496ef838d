#!/usr/bin/env bash
# Writes the man pages of preflight and of each of its commands into OUT_DIR, as
# preflight.1.gz, preflight-check.1.gz, preflight-rules-list.1.gz, ..., made by
# help2man from the program's own --help and --version: the help is their one source.
#   man_pages.sh HELP2MAN PREFLIGHT OUT_DIR
set -euo pipefail
help2man=$1
bin=$2
out=$3
mkdir -p "$out"
rm -f "$out"/*.1 "$out"/*.1.gz
version=$("$bin" --version | sed -n '1s/^preflight //p')
[ -n "$version" ] || { echo "man_pages.sh: '$bin --version' does not say 'preflight VERSION'" >&2; exit 1; }

# "name  description" lines of the Subcommands section of `preflight [CMD...] --help`.
commands_of() {
  "$bin" "$@" --help | awk 'tolower($0) == "subcommands:" {on=1; next} on && /^[^ ]/ {on=0} on && NF {print}'
}

# help2man runs this script with --help or --version (PREFLIGHT_MAN_WORDS: the command).
wrapper=$out/preflight-command
cat >"$wrapper" <<SH
#!/bin/sh
if [ "\$1" = --version ]; then
  echo "preflight-\$(echo \$PREFLIGHT_MAN_WORDS | tr ' ' -) (preflight) $version"
else
  # a blank line before the examples, which follow the exit status in the help's footer
  "$bin" \$PREFLIGHT_MAN_WORDS --help | sed '/^Examples/{x;p;x}'
fi
SH
chmod +x "$wrapper"

see_also=$out/see-also.h2m
pages=()
page() {  # page "WORDS" "DESCRIPTION"
  local words=$1 name=$2 file
  file=$out/preflight${words:+-${words// /-}}.1
  if [ -z "$words" ]; then
    "$help2man" --no-info --no-discard-stderr --section 1 --name "$name" --include "$see_also" -o "$file" "$bin"
  else
    PREFLIGHT_MAN_WORDS=$words "$help2man" --no-info --no-discard-stderr --section 1 --name "$name" \
      --include "$see_also" -o "$file" "$wrapper"
  fi
  pages+=("$file")
}

# The commands and their commands (rules list, rules explain), with their one-line help.
declare -a words=() names=()
while read -r cmd desc; do
  words+=("$cmd"); names+=("$desc")
  while read -r sub sdesc; do
    words+=("$cmd $sub"); names+=("$sdesc")
  done < <(commands_of "$cmd")
done < <(commands_of)
[ ${#words[@]} -gt 0 ] || { echo "man_pages.sh: no commands found in '$bin --help'" >&2; exit 1; }

{
  echo "[SEE ALSO]"
  all=("" "${words[@]}")
  for i in "${!all[@]}"; do
    w=${all[$i]}
    comma=","; [ "$i" -eq $((${#all[@]} - 1)) ] && comma=""
    echo ".BR preflight${w:+-${w// /-}} (1)$comma"
  done
} >"$see_also"

summary=$("$bin" --help | head -n1 | sed 's/^preflight: //')
page "" "$summary"
for i in "${!words[@]}"; do page "${words[$i]}" "${names[$i]}"; done
gzip -9nf "${pages[@]}"
rm -f "$wrapper" "$see_also"
