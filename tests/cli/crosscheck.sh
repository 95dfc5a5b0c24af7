#!/usr/bin/env bash
# The shipped model's base case against independent solvers: its exported
# LP solved by glpsol and by cbc (LP and MPS files) must agree with
# `supplymix solve` on the objective to 1e-6 relative.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" solve > "$tmp/report.txt"
ours=$(awk '/^Total cost over the horizon/ { v = $(NF-1); gsub(",", "", v); print v }' "$tmp/report.txt")
[ -n "$ours" ] || { echo "no total cost in the solve report"; cat "$tmp/report.txt"; exit 1; }

"$bin" export --lp "$tmp/base.lp"
"$bin" export --mps "$tmp/base.mps"

glpsol --lp "$tmp/base.lp" -o "$tmp/glpsol.txt" > "$tmp/glpsol.log"
grep -q "^Status: *OPTIMAL" "$tmp/glpsol.txt" || { echo "glpsol did not find an optimum"; cat "$tmp/glpsol.txt"; exit 1; }
glp=$(awk '/^Objective:/ { print $4 }' "$tmp/glpsol.txt")

cbc "$tmp/base.lp" solve solu "$tmp/cbc_lp.txt" > "$tmp/cbc_lp.log" 2>&1
cbc "$tmp/base.mps" solve solu "$tmp/cbc_mps.txt" > "$tmp/cbc_mps.log" 2>&1
cbc_lp=$(awk 'NR == 1 && /^Optimal/ { print $NF }' "$tmp/cbc_lp.txt")
cbc_mps=$(awk 'NR == 1 && /^Optimal/ { print $NF }' "$tmp/cbc_mps.txt")
[ -n "$cbc_lp" ] && [ -n "$cbc_mps" ] || { echo "cbc did not find an optimum"; head -3 "$tmp"/cbc_*.txt; exit 1; }

echo "supplymix solve: $ours USD"
echo "glpsol (LP file): $glp USD"
echo "cbc (LP file):    $cbc_lp USD"
echo "cbc (MPS file):   $cbc_mps USD"
/usr/bin/python3 - "$ours" "$glp" "$cbc_lp" "$cbc_mps" <<'PY'
import sys
ours, *others = map(float, sys.argv[1:])
worst = max(abs(o - ours) / max(1.0, abs(o)) for o in others)
print(f"largest relative difference: {worst:.2e} (limit 1e-6)")
sys.exit(0 if worst <= 1e-6 else 1)
PY
