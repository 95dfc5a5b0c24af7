#!/usr/bin/env bash
# ThreadSanitizer check of the sweep engine: a clang build with LLVM's
# OpenMP runtime and its Archer tool (so OpenMP's own synchronisation is
# understood), then sweeps on 2 and 3 threads and the engine's unit tests.
# Prints every report; exit code 1 when supplymix code is in one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" > /dev/null
for p in clang libomp-14-dev; do
  dpkg-query -W "$p" > /dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" > /dev/null
done
b="$here/build-tsan"
cmake -S "$here" -B "$b" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF -DCMAKE_C_FLAGS="-fsanitize=thread -g" \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -g" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" > /dev/null
cmake --build "$b" -j "$(nproc)" --target supplymix test_engine > /dev/null
export TSAN_OPTIONS="halt_on_error=0 ignore_noninstrumented_modules=1" OMP_TOOL_LIBRARIES=/usr/lib/llvm-14/lib/libarcher.so
log="$b/tsan.log"
: > "$log"
"$b/supplymix" run --sweep quick -o "$b/tsan_quick.h5" -j 2 --force >> "$log" 2>&1 || true
"$b/supplymix" run --sweep monte_carlo -o "$b/tsan_mc.h5" -j 3 --force >> "$log" 2>&1 || true
# CLP's engine too, where built (its C++ file is instrumented as well)
if "$b/supplymix" run --help 2>&1 | grep -q "one of: glpk, clp"; then
  "$b/supplymix" run --sweep quick -o "$b/tsan_quick_clp.h5" -j 2 --force --lp-engine clp >> "$log" 2>&1 || true
fi
"$b/tests/test_engine" >> "$log" 2>&1 || true
reports=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
ours=$(grep -A30 "WARNING: ThreadSanitizer" "$log" | grep -cE "$here/(solver|io|models|core|cli)/" || true)
echo "tsan: $reports report(s) in all; $ours stack frame(s) in supplymix code (log: $log)"
[ "$ours" = 0 ]
