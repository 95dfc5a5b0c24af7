#!/usr/bin/env bash
# The main job on the shipped rare_earths model: set up, build, solve the
# base case. Usage: scripts/main.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
"$here/build/supplymix" solve
