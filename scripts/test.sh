#!/usr/bin/env bash
# Set up, build (warnings are errors) and run every test with ctest; then
# the suite again under AddressSanitizer + UndefinedBehaviorSanitizer, and
# the MPI flavour's tests (mpirun with 2 and 3 ranks).
# Usage: scripts/test.sh [ctest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc)
"$here/scripts/setup.sh"
ctest --test-dir "$here/build" --output-on-failure -j "$jobs" "$@"

echo "test: the same suite under AddressSanitizer + UndefinedBehaviorSanitizer" >&2
SM_BUILD_DIR="$here/build-asan" SM_CMAKE_ARGS="-DSM_SANITIZE=ON" "$here/scripts/setup.sh"
ctest --test-dir "$here/build-asan" --output-on-failure -j "$jobs" -LE slurm "$@"

echo "test: the MPI flavour, with mpirun and under the local Slurm" >&2
SM_BUILD_DIR="$here/build-mpi" SM_CMAKE_ARGS="-DSM_MPI=ON" "$here/scripts/setup.sh"
ctest --test-dir "$here/build-mpi" --output-on-failure -L "mpi|slurm" "$@"
