# bash completion for preflight. Installed as
# /usr/share/bash-completion/completions/preflight; or `source` this file.
# The candidates come from the program itself: `preflight __complete -- WORD...`
# prints those for the last word (commands, options, output formats, rule ids, and
# the host and VM names of the inventory, read from its files without connecting).
# When it has none, bash offers file names (-o default).
_preflight() {
  local program=${COMP_WORDS[0]}
  [[ $program == */* && -x $program ]] || program=preflight
  COMPREPLY=()
  local line
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <("$program" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  return 0
}
complete -o default -F _preflight preflight
