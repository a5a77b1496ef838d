#!/usr/bin/env bash
# The Debian package as a user gets it: CPack builds the .deb from the build tree;
# it is unpacked with dpkg-deb -x into a temporary root (nothing is installed on the
# machine), and the unpacked program runs the demo check with the rules it carries,
# its man pages render, and its bash completion offers commands and lab names.
#   deb_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack:cmake dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev help2man:help2man man:man-db zsh:zsh; do
  command -v "${tool%%:*}" >/dev/null ||
    fail "${tool%%:*} not found: install Debian's ${tool#*:} (scripts/setup.sh does, as root)"
done
grep -q '^PREFLIGHT_MAN_PAGES:BOOL=ON' "$build/CMakeCache.txt" ||
  fail "the build has no man pages (PREFLIGHT_MAN_PAGES is off): configure with help2man installed"

work=$(mktemp -d /tmp/preflight-deb-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1 XDG_CONFIG_HOME=/nonexistent-preflight-config LC_ALL=C.UTF-8
unset PREFLIGHT_INVENTORY

# 1. The package, and what it says about itself.
(cd "$build" && cpack -G DEB -B "$work/cpack" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed (log above)"; }
debs=("$work"/cpack/preflight_*.deb)
{ [ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ]; } || fail "expected one preflight_*.deb, found: ${debs[*]}"
deb=${debs[0]}
info=$(dpkg-deb --info "$deb")
echo "$info" | grep -q '^ Package: preflight$' || fail "Package is not preflight: $info"
echo "$info" | grep -q '^ Section: admin$' || fail "Section is not admin: $info"
depends=$(dpkg-deb --field "$deb" Depends)
for dep in libvirt0 libc6 libstdc++6 libyaml-cpp; do
  [[ ", $depends" == *", $dep"* ]] || fail "Depends lacks $dep (libvirt0 stated, the others from dpkg-shlibdeps): $depends"
done
version=$(dpkg-deb --field "$deb" Version)

# 2. Unpacked into a root of its own: where everything goes.
root=$work/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/preflight usr/share/preflight/rules usr/share/man/man1/preflight.1.gz \
         usr/share/man/man1/preflight-check.1.gz usr/share/man/man1/preflight-rules-explain.1.gz \
         usr/share/bash-completion/completions/preflight usr/share/zsh/vendor-completions/_preflight; do
  [ -e "$root/$f" ] || fail "the package lacks /$f; it holds: $(dpkg-deb -c "$deb" | awk '{print $6}')"
done
ls "$root"/usr/share/preflight/rules/*.yaml >/dev/null 2>&1 || fail "no rule files in /usr/share/preflight/rules"
bin=$root/usr/bin/preflight
out=$("$bin" --version) || fail "preflight --version exited $?"
[ "$out" = "preflight $version" ] || fail "preflight --version says '$out', the package's version is $version"

# 3. Every man page renders, with its NAME line; preflight(1) points to the commands'.
for page in "$root"/usr/share/man/man1/*.1.gz; do
  name=$(basename "$page" .1.gz)
  text=$(MANPAGER=cat PAGER=cat MANWIDTH=80 man --nh --nj -l "$page" 2>"$work/man.err") ||
    fail "man -l $name failed: $(cat "$work/man.err")"
  [ ! -s "$work/man.err" ] || fail "man -l $name warns: $(cat "$work/man.err")"
  grep -q '^NAME$' <<<"$text" || fail "man -l $name has no NAME section: $text"
  grep -Eq "^ +$name - [[:alpha:]]" <<<"$text" || fail "man -l $name has no '$name - description' line: $text"
  # whatis/apropos show NAME: one line at 80 columns that says what the command does,
  # the exit statuses left to the page's body
  desc=$(awk '/^NAME$/ {on=1; next} /^[A-Z]/ {on=0} on && NF' <<<"$text")
  [ "$(wc -l <<<"$desc")" = 1 ] || fail "man -l $name: NAME is not one line at 80 columns: $desc"
  ! grep -qi 'exit' <<<"$desc" || fail "man -l $name: NAME speaks of exit statuses: $desc"
done
text=$(MANPAGER=cat PAGER=cat MANWIDTH=80 man --nh --nj -l "$root/usr/share/man/man1/preflight-check.1.gz")
grep -q -- '--strict' <<<"$text" || fail "preflight-check(1) lacks the options of 'preflight check --help': $text"
text=$(MANPAGER=cat PAGER=cat MANWIDTH=1000 man --nh --nj -l "$root/usr/share/man/man1/preflight.1.gz")  # one line
grep -q 'preflight-migrate(1)' <<<"$text" || fail "preflight(1) does not point to preflight-migrate(1): $text"

# 4. The demo check, from the unpacked place: with its own rules, exit 0 (go).
inv=$src/fixtures/lab/preflight.yaml
cd "$work"
"$bin" -v --inventory "$inv" check web1 hostB >"$work/check.out" 2>"$work/check.err" ||
  fail "preflight check web1 hostB exited $? from the package: $(cat "$work/check.out" "$work/check.err")"
grep -qx "preflight: rules: $root/usr/share/preflight/rules" "$work/check.err" ||
  fail "the unpacked program did not take its rules from $root/usr/share/preflight/rules: $(cat "$work/check.err")"
# ... and only there: without them it cannot decide.
mv "$root/usr/share/preflight" "$root/usr/share/preflight.away"
rc=0; "$bin" --inventory "$inv" check web1 hostB >/dev/null 2>"$work/norules.err" || rc=$?
[ "$rc" -eq 2 ] || fail "without its rules the unpacked program exited $rc, not 2: $(cat "$work/norules.err")"
grep -q "$root/usr/share/preflight/rules" "$work/norules.err" ||
  fail "without its rules the error does not name where they should be: $(cat "$work/norules.err")"
mv "$root/usr/share/preflight.away" "$root/usr/share/preflight"
"$bin" --help | grep -q __complete && fail "preflight --help shows the hidden __complete"

# 5. Bash completion: the packaged script, the packaged program on PATH.
complete_words() {  # complete_words WORD... : what <TAB> offers after the words (the last is being typed)
  PATH=$root/usr/bin:$PATH bash -c '
    source "$1"; shift
    COMP_WORDS=(preflight "$@"); COMP_CWORD=$#
    _preflight
    printf "%s\n" "${COMPREPLY[@]}"' _ "$root/usr/share/bash-completion/completions/preflight" "$@"
}
offers() {  # offers WANT WORD...
  local want=$1; shift
  local got; got=$(complete_words "$@")
  grep -qx -- "$want" <<<"$got" || fail "'preflight $* <TAB>' does not offer $want; it offers: $(tr "\n" " " <<<"$got")"
}
offers check ch
[ "$(complete_words ch)" = check ] || fail "'preflight ch<TAB>' offers more than check: $(complete_words ch)"
offers web1 --inventory "$inv" check ""
offers hostB --inventory "$inv" check web1 ""
offers --strict --inventory "$inv" check web1 hostB --st
offers junit check web1 hostB -o ""
offers copy-storage check web1 hostB --mode c
offers explain rules ""
offers storage.shared rules explain stor
offers hostC --inventory "$inv" mask db1 --hosts ""
PREFLIGHT_INVENTORY=$inv offers db1 migrate d
[ -z "$(complete_words __c)" ] || fail "'preflight __c<TAB>' offers the hidden command"

# 6. Zsh completion: the packaged _preflight run as compsys would, with compadd and
# _files (compsys's own, absent outside an interactive shell) printing what they get.
zsh_offers() {  # zsh_offers WANT WORD...
  local want=$1; shift
  local got
  got=$(PATH=$root/usr/bin:$PATH zsh -fc '
    compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }
    _files() { print -- "(files)"; }
    words=(preflight "$@"); CURRENT=$#words
    source "$0"' "$root/usr/share/zsh/vendor-completions/_preflight" "$@")
  grep -qx -- "$want" <<<"$got" || fail "zsh: 'preflight $* <TAB>' does not offer $want; it offers: $(tr "\n" " " <<<"$got")"
}
zsh_offers check ch
zsh_offers db1 --inventory "$inv" check ""
zsh_offers "(files)" --inventory ""
echo "ok: $(basename "$deb"), Depends: $depends"
