#!/usr/bin/env bash
# `supplymix validate` on a model with several deliberate mistakes lists
# each of them with its file and line, and exits with code 2.
set -uo pipefail
bin=$1
dir=$2
out=$("$bin" validate "$dir" 2>&1)
code=$?
echo "$out"
fail=0
[ "$code" = 2 ] || { echo "FAIL: exit code $code, expected 2"; fail=1; }
expect() { # file:line[:col] fragment
  if ! grep -F -- "$1" <<< "$out" | grep -qF -- "$2"; then
    echo "FAIL: no message at $1 containing: $2"; fail=1
  fi
}
expect "model.yaml:6:19:" "regions.China.tariff: expected a number, 'high' is not a number"
expect "model.yaml:11:5:" "unknown key 'colour'"
expect "model.yaml:15:22:" "unknown region 'Mars'"
expect "model.yaml:16:12:" "share: 1.5 is out of range"
expect "suppliers.csv:3:" "unknown region 'Mars'"
expect "suppliers.csv:4:" "capacity_t_per_period: -5 is out of range"
expect "suppliers.csv:5:" "'NaN' is not a finite number"
expect "suppliers.csv:6:" "start_period: 9 is out of range, expected 1..4"
expect "demand.csv:4:" "given twice (first at line 3)"
expect "demand.csv:5:" "period: 7 is out of range"
expect "demand.csv:6:" "'lots' is not a number"
exit $fail
