#!/usr/bin/env bash
# Set up, build (warnings are errors) and run every test with ctest.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
ctest --test-dir "$here/build" --output-on-failure -j "$(nproc)" "$@"
