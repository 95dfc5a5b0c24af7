#!/usr/bin/env bash
# `supplymix validate` lists what a model and a sweep use of issue 12's
# levers (scoped windows, a capacity profile, the discount rate, penalty
# multipliers), and warns, exit code 0, when periods.length_months is not
# the length the tables were written for (periods.tables_months, default 3).
set -uo pipefail
bin=$1
models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$models/rare_earths" "$tmp/m"
rm -rf "$tmp/m/sweeps"
y=$tmp/m/model.yaml
sed -i 's/^  length_months: 3$/  length_months: 24/' "$y"
sed -i 's/^limits:$/windows:\n  tariff.China: {level: 1.0, from: 7}\n  availability.China.Dy_oxide: {level: 0.2, until: 8}\ndiscount_rate: 0.05\nlimits:/' "$y"
sed -i 's/^  demand: demand.csv$/  demand: demand.csv\n  capacity_profile: profile.csv/' "$y"
{
  echo "supplier,material,period,capacity_t"
  for t in $(seq 1 12); do echo "China_trader,Dy_oxide,$t,$t"; done
} > "$tmp/m/profile.csv"
cat > "$tmp/s.yaml" <<'YAML'
name: levers
model: rare_earths
seed: 1
samples: 4
parameters:
  penalty.Dy_oxide: {dist: uniform, low: 0.5, high: 2}
  discount.rate: {values: [0, 0.08]}
  tariff.China.until: {values: [10]}
  price.NdPr_oxide: {values: [1.1]}
YAML
out=$("$bin" validate "$tmp/m" --sweep "$tmp/s.yaml" 2>&1)
code=$?
echo "$out"
fail=0
[ "$code" = 0 ] || { echo "FAIL: exit code $code, expected 0 (a warning only)"; fail=1; }
expect() { grep -qF -- "$1" <<< "$out" || { echo "FAIL: no line containing: $1"; fail=1; }; }
expect "model.yaml:13:18: warning: periods.length_months is 24 but the tables are written for 3-month periods"
expect "window tariff.China: rate 1, periods 7 to 12"
expect "window availability.China.Dy_oxide: level 0.2, periods 1 to 8"
expect "capacity profile $tmp/m/profile.csv: 12 rows, 1 of 27 offers"
expect "discount rate: 0.05 a year"
expect "sweep scoped windows: tariff.China.until"
expect "sweep penalty multipliers: penalty.Dy_oxide"
expect "sweep discount rate: discount.rate"
expect "1 warning"
# Saying what the tables were written for silences the warning.
sed -i 's/^  length_months: 24$/  length_months: 24\n  tables_months: 24/' "$y"
out=$("$bin" validate "$tmp/m" 2>&1)
grep -q "^0 warnings" <<< "$out" || { echo "$out"; echo "FAIL: tables_months: 24 still warns"; fail=1; }
exit $fail
