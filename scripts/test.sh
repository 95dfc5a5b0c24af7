#!/usr/bin/env bash
# Set up, build (warnings are errors) and run every test with ctest; then
# build again with AddressSanitizer + UndefinedBehaviorSanitizer and run the
# whole suite once more under them. Usage: scripts/test.sh [ctest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
ctest --test-dir "$here/build" --output-on-failure -j "$(nproc)" "$@"
echo "test: the same suite under AddressSanitizer + UndefinedBehaviorSanitizer" >&2
SM_BUILD_DIR="$here/build-asan" SM_CMAKE_ARGS="-DSM_SANITIZE=ON" "$here/scripts/setup.sh"
ctest --test-dir "$here/build-asan" --output-on-failure -j "$(nproc)" "$@"
