#!/usr/bin/env bash
# Install every Debian package supplymix needs (only the missing ones, so a
# second run takes a second) and build it into build/. Sourced or run by
# scripts/main.sh and scripts/test.sh; safe to run again at any time.
#
# Environment: SM_BUILD_DIR (default build), SM_BUILD_TYPE (RelWithDebInfo),
# SM_CMAKE_ARGS (extra arguments for cmake's configure step).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${SM_BUILD_DIR:-$here/build}

packages=(
  # compiler and build
  build-essential cmake pkg-config
  # libraries
  libglpk-dev libhdf5-dev libcunit1-dev libyaml-dev libcsv-dev libxxhash-dev
  librandom123-dev libgsl-dev libdeflate-dev
  # deflates result chunks (libdeflate when missing; io/h5_chunk.h)
  libisal-dev
  # the optional CLP engine (--lp-engine clp; built when found)
  coinor-libclp-dev
  # independent solvers and file tools used by the tests (clp: bench/bench_plan.py)
  glpk-utils coinor-cbc coinor-clp hdf5-tools netcdf-bin
  # cluster work: the MPI flavour's build and tests, a local Slurm for the tests
  openmpi-bin libopenmpi-dev slurmctld slurmd slurm-client munge bc
  # plotting and checking scripts (Debian's /usr/bin/python3)
  python3 python3-h5py python3-numpy python3-matplotlib python3-xarray
  python3-netcdf4 python3-h5netcdf python3-yaml python3-pandas
  # the board report's test renders it in a real browser (headless)
  chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo > /dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

mkdir -p "$build_dir"
# shellcheck disable=SC2086
cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE="${SM_BUILD_TYPE:-RelWithDebInfo}" \
  -DSM_WERROR=ON ${SM_CMAKE_ARGS:-} > "$build_dir/setup-configure.log" 2>&1 \
  || { cat "$build_dir/setup-configure.log" >&2; exit 1; }
cmake --build "$build_dir" -j "$(nproc)" > "$build_dir/setup-build.log" 2>&1 \
  || { cat "$build_dir/setup-build.log" >&2; exit 1; }
echo "setup: built $build_dir/supplymix" >&2
