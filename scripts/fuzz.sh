#!/usr/bin/env bash
# Fuzz the model loader, the CSV reader and the sweep parser with libFuzzer
# (clang, AddressSanitizer + UndefinedBehaviorSanitizer) for SECONDS each
# (default 300). A crash input lands in build-fuzz/tests/fuzz-crash-*: fix
# the bug and keep the input under tests/fuzz/regressions.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-300}
"$here/scripts/setup.sh" > /dev/null
if ! command -v clang > /dev/null || ! dpkg-query -W libclang-rt-14-dev > /dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev > /dev/null
fi
cmake -S "$here" -B "$here/build-fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSM_FUZZ=ON \
  -DSM_FUZZ_SECONDS="$seconds" > /dev/null
cmake --build "$here/build-fuzz" -j "$(nproc)" --target fuzz_csv fuzz_model fuzz_sweep > /dev/null
ctest --test-dir "$here/build-fuzz" -L fuzz -j "$(nproc)" --output-on-failure
grep -h "stat::number_of_executed_units" "$here/build-fuzz/Testing/Temporary/LastTest.log" || true
