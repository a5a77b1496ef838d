#!/usr/bin/env bash
# Re-runs every program-output excerpt of README.md and fails on a difference.
#
#   scripts/readme_check.sh [--update] [BINARY]
#
# An excerpt is a ```-fenced block right after the line `<!-- readme-check -->`
# whose first line is `$ preflight ...`: that command runs in bash from the
# repository root, with `preflight` meaning BINARY (default build/bin/preflight),
# COLUMNS=80, NO_COLOR=1 and LC_ALL=C, its stdout captured (stderr only when the
# command redirects it). The rest of the block must equal that output, with one
# rule: a line that is `...` (indented or not) stands for any run of lines (none
# too), so an excerpt can leave out the middle or the end of a long output. Nothing else is
# normalised: an excerpt must not show what varies from machine to machine.
#
# A fenced block right after `<!-- readme-check-file PATH -->` must equal the file PATH
# (relative to the repository root) line for line: an input shown in the README (a
# policy, an inventory) is the file the checked commands use.
#
# --update rewrites each block without a `...` line with the output as it is now
# (and each file block with its file);
# a block with `...` that no longer matches is printed for a hand edit.
# Exit 0 when every excerpt matches (or was updated), 1 when one differs, 2 on a
# usage error or no excerpt found.
set -u
cd "$(dirname "$0")/.."
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
bin=${1:-build/bin/preflight}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "readme_check: $bin is not an executable; build first (cmake --build build)" >&2; exit 2; }
readme=README.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Whether the lines of $2 (actual) match the lines of $1 (excerpt, `...` = any run).
matches() {
  awk -v exp_file="$1" -v act_file="$2" '
    BEGIN {
      ne = 0; while ((getline l < exp_file) > 0) e[++ne] = l
      na = 0; while ((getline l < act_file) > 0) a[++na] = l
      # Segments of fixed lines between `...` lines.
      ns = 0; start = 1
      for (i = 1; i <= ne + 1; i++) {
        if (i == ne + 1 || e[i] ~ /^ *\.\.\.$/) { ns++; s_from[ns] = start; s_to[ns] = i - 1; start = i + 1 }
      }
      pos = 1
      for (s = 1; s <= ns; s++) {
        len = s_to[s] - s_from[s] + 1
        if (s == 1) {            # anchored at the start
          if (!seg_at(s, 1)) exit 1
          pos = 1 + len
        } else if (s == ns) {    # anchored at the end
          at = na - len + 1
          if (at < pos || !seg_at(s, at)) exit 1
          pos = na + 1
        } else {                 # leftmost place at or after pos
          found = 0
          for (at = pos; at + len - 1 <= na; at++) if (seg_at(s, at)) { found = 1; break }
          if (!found) exit 1
          pos = at + len
        }
      }
      if (ns == 1 && pos != na + 1) exit 1
      exit 0
    }
    function seg_at(s, at,   k) {
      for (k = 0; k <= s_to[s] - s_from[s]; k++) {
        if (at + k > na || a[at + k] != e[s_from[s] + k]) return 0
      }
      return 1
    }'
}

n=0 failed=0 out=$tmp/readme
lineno=0 state=text cmd="" block=""
: > "$out"
flush_block() {  # runs $cmd, compares with $block (a file), writes the block to $out
  n=$((n + 1))
  local actual=$tmp/actual.$n
  COLUMNS=80 NO_COLOR=1 LC_ALL=C PREFLIGHT_BIN=$bin \
    bash -c 'preflight() { "$PREFLIGHT_BIN" "$@"; }; '"$cmd" > "$actual" 2>/dev/null
  if matches "$block" "$actual"; then
    echo "\$ $cmd" >> "$out"; cat "$block" >> "$out"
    return
  fi
  if [ $update = 1 ] && ! grep -qx " *\.\.\." "$block"; then
    echo "readme_check: updated README.md:$start_line: \$ $cmd"
    echo "\$ $cmd" >> "$out"; cat "$actual" >> "$out"
    return
  fi
  failed=$((failed + 1))
  echo "readme_check: README.md:$start_line: the output of \`$cmd\` differs from the excerpt (- excerpt, + program):"
  diff -u --label excerpt --label program "$block" "$actual" | tail -n +3
  echo "\$ $cmd" >> "$out"; cat "$block" >> "$out"
}

flush_file() {  # compares the block $block with the file $file_path, writes the block to $out
  n=$((n + 1))
  if [ ! -f "$file_path" ]; then
    echo "readme_check: README.md:$start_line: $file_path (readme-check-file) does not exist" >&2; exit 2
  fi
  if cmp -s "$block" "$file_path"; then cat "$block" >> "$out"; return; fi
  if [ $update = 1 ]; then
    echo "readme_check: updated README.md:$start_line: the contents of $file_path"
    cat "$file_path" >> "$out"; return
  fi
  failed=$((failed + 1))
  echo "readme_check: README.md:$start_line: the block differs from $file_path (- excerpt, + file):"
  diff -u --label excerpt --label "$file_path" "$block" "$file_path" | tail -n +3
  cat "$block" >> "$out"
}

while IFS= read -r line || [ -n "$line" ]; do
  lineno=$((lineno + 1))
  case $state in
    text)
      echo "$line" >> "$out"
      [ "$line" = "<!-- readme-check -->" ] && state=marker
      case $line in
        '<!-- readme-check-file '*' -->')
          file_path=${line#'<!-- readme-check-file '}; file_path=${file_path%' -->'}; state=filemarker ;;
      esac ;;
    filemarker)
      echo "$line" >> "$out"
      case $line in '```'*) start_line=$lineno; block=$tmp/file.$lineno; : > "$block"; state=filebody ;;
        *) echo "readme_check: README.md:$lineno: a readme-check-file marker must be followed by a \`\`\` block" >&2; exit 2 ;; esac ;;
    filebody)
      if [ "$line" = '```' ]; then flush_file; echo "$line" >> "$out"; state=text
      else echo "$line" >> "$block"; fi ;;
    marker)
      echo "$line" >> "$out"
      case $line in '```'*) state=first ;; *) echo "readme_check: README.md:$lineno: a readme-check marker must be followed by a \`\`\` block" >&2; exit 2 ;; esac ;;
    first)
      case $line in
        '$ preflight '*) cmd=${line#\$ }; start_line=$lineno; block=$tmp/block.$lineno; : > "$block"; state=body ;;
        *) echo "readme_check: README.md:$lineno: a checked block must start with \`\$ preflight ...\`" >&2; exit 2 ;;
      esac ;;
    body)
      if [ "$line" = '```' ]; then flush_block; echo "$line" >> "$out"; state=text
      else echo "$line" >> "$block"; fi ;;
  esac
done < "$readme"
[ $state = text ] || { echo "readme_check: README.md ends inside a checked block" >&2; exit 2; }
[ $n -gt 0 ] || { echo "readme_check: no <!-- readme-check --> excerpt in README.md" >&2; exit 2; }
if [ $update = 1 ] && ! cmp -s "$out" "$readme"; then cp "$out" "$readme"; fi
if [ $failed -gt 0 ]; then echo "readme_check: $failed of $n excerpts differ"; exit 1; fi
echo "readme_check: $n excerpts match"
