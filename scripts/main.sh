#!/usr/bin/env bash
# The main job on the shipped rare_earths model: set up and build, solve the
# base case, run the default sweep (`quick`: 5 China caps x 200 random
# futures) into out/rare_earths_quick.h5 and draw its figures and summary
# into out/figures/; then plan what to sign now (`plan_quick`: 3 China caps,
# each hedged against 50 random futures) into out/rare_earths_plan.h5, with
# its figures and summary in out/plan_figures/. Each file also gets a board
# report, one self-contained HTML file: out/rare_earths_quick.html and
# out/rare_earths_plan.html. Usage: scripts/main.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
"$here/build/supplymix" solve
mkdir -p "$here/out"
# --force: this demo job regenerates its own files on every run.
"$here/build/supplymix" run --sweep quick -o "$here/out/rare_earths_quick.h5" --force
/usr/bin/python3 "$here/scripts/supplymix_plots.py" "$here/out/rare_earths_quick.h5" -o "$here/out/figures"
/usr/bin/python3 "$here/scripts/supplymix_report.py" "$here/out/rare_earths_quick.h5" \
  -o "$here/out/rare_earths_quick.html" --force
# The plan: a smaller sweep than quick (8 s against 24 s on 2 cores), as a
# plan re-solves every future once per iteration of its decomposition.
"$here/build/supplymix" plan --sweep plan_quick -o "$here/out/rare_earths_plan.h5" --force
/usr/bin/python3 "$here/scripts/supplymix_plots.py" "$here/out/rare_earths_plan.h5" -o "$here/out/plan_figures"
/usr/bin/python3 "$here/scripts/supplymix_report.py" "$here/out/rare_earths_plan.h5" \
  -o "$here/out/rare_earths_plan.html" --force
echo "main: results in $here/out/rare_earths_quick.h5 (docs/RESULTS.md);"
echo "main: figures and summary (summary.md, summary.csv) in $here/out/figures/"
echo "main: the plan (what to sign now) in $here/out/rare_earths_plan.h5, its figures and"
echo "main: summary (plan section at the end of summary.md) in $here/out/plan_figures/"
echo "main: board reports (one HTML file each, figures inside, no network needed):"
echo "main:   $here/out/rare_earths_quick.html and $here/out/rare_earths_plan.html"
