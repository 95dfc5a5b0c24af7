# Sourced by the A/B benchmark scripts (bench_outside.sh,
# bench_outside_share.sh, bench_faults.sh): their arguments BUILD
# [BASE_BUILD] [ROUNDS] into new, base, rounds and builds (the base first,
# so that each round runs A then B and background load hits both alike),
# a temporary folder $tmp removed on exit, and ab_tag BUILD, a short name
# for a build's files in $tmp.
#
# usage (after set -euo pipefail): ab_args DEFAULT_ROUNDS "$@"
ab_args() {
  local default_rounds=$1
  shift
  new=${1:?usage: $(basename "$0") BUILD [BASE_BUILD] [ROUNDS]}
  base=${2:-}
  rounds=${3:-$default_rounds}
  builds=("$new")
  if [ -n "$base" ]; then builds=("$base" "$new"); fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
}

ab_tag() {
  echo "$1" | md5sum | cut -c1-8
}
