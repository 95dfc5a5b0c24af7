#!/usr/bin/env bash
# The main job on the shipped rare_earths model: set up and build, solve the
# base case, then run the default sweep (`quick`: 5 China caps x 200 random
# futures) into out/rare_earths_quick.h5. Usage: scripts/main.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
"$here/build/supplymix" solve
mkdir -p "$here/out"
# --force: this demo job regenerates its own file on every run.
"$here/build/supplymix" run --sweep quick -o "$here/out/rare_earths_quick.h5" --force
echo "main: results in $here/out/rare_earths_quick.h5 (docs/RESULTS.md)"
