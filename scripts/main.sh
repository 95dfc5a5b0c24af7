#!/usr/bin/env bash
# The main job on the shipped rare_earths model: set up and build, solve the
# base case, run the default sweep (`quick`: 5 China caps x 200 random
# futures) into out/rare_earths_quick.h5, and draw its figures and summary
# into out/figures/. Usage: scripts/main.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
"$here/build/supplymix" solve
mkdir -p "$here/out"
# --force: this demo job regenerates its own file on every run.
"$here/build/supplymix" run --sweep quick -o "$here/out/rare_earths_quick.h5" --force
/usr/bin/python3 "$here/scripts/supplymix_plots.py" "$here/out/rare_earths_quick.h5" -o "$here/out/figures"
echo "main: results in $here/out/rare_earths_quick.h5 (docs/RESULTS.md);"
echo "main: figures and summary (summary.md, summary.csv) in $here/out/figures/"
