#!/usr/bin/env bash
# The command line's contract (CLI.md): help, version, exit codes for bad
# usage, and a clear error naming the path for a missing model.
set -uo pipefail
bin=$1
case $bin in /*) ;; */*) bin=$PWD/$bin ;; esac
fail=0
check() { # expected-code description command...
  local want=$1 what=$2; shift 2
  "$@" > /tmp/usage.$$.out 2> /tmp/usage.$$.err
  local got=$?
  if [ "$got" != "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"; cat /tmp/usage.$$.out /tmp/usage.$$.err; fail=1
  else
    echo "ok: $what (exit $got)"
  fi
}
check 0 "--help" "$bin" --help
grep -q "usage: supplymix COMMAND" /tmp/usage.$$.out || { echo "FAIL: --help text"; fail=1; }
check 0 "--version" "$bin" --version
grep -Eq "^supplymix [0-9]+\.[0-9]+\.[0-9]+" /tmp/usage.$$.out || { echo "FAIL: --version text"; fail=1; }
grep -q "thread-safe" /tmp/usage.$$.out || { echo "FAIL: --version names GLPK's thread safety"; fail=1; }
for c in solve validate export run merge repair table; do
  check 0 "$c --help" "$bin" $c --help
  grep -q "usage: supplymix $c" /tmp/usage.$$.out || { echo "FAIL: $c --help text"; fail=1; }
done
check 2 "no command" "$bin"
check 2 "unknown command" "$bin" frobnicate
check 2 "unknown option" "$bin" solve --frobnicate
check 2 "export without a format" "$bin" export
check 2 "missing model directory" "$bin" solve /nonexistent/model
grep -q "/nonexistent/model: error: no such model directory" /tmp/usage.$$.err || { echo "FAIL: missing model message"; cat /tmp/usage.$$.err; fail=1; }
check 0 "validate the shipped model" "$bin" validate
# The loader must not look for libraries in the current directory (an
# empty RPATH entry does): started where decoy libraries lie, the program
# runs as anywhere else.
decoys=$(mktemp -d)
for lib in libc.so.6 libm.so.6 libglpk.so.40 libhdf5_serial.so.103; do
  for dir in . x86_64 tls tls/x86_64; do mkdir -p "$decoys/$dir"; echo "not a library" > "$decoys/$dir/$lib"; done
done
(cd "$decoys" && check 0 "started beside decoy libraries" "$bin" --version)
[ -s /tmp/usage.$$.err ] && { echo "FAIL: stderr beside decoy libraries:"; cat /tmp/usage.$$.err; fail=1; }
rm -rf "$decoys"
rm -f /tmp/usage.$$.out /tmp/usage.$$.err
exit $fail
