#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One entry point for a fresh Debian 12 machine (run as root, or as a user with sudo):
#   tools/bootstrap.sh demo   install missing packages, build, run the main job on the embedded
#                             default (the virtual DNIe, once the CLI exists; until then the
#                             published-vector checks, in readable form)
#   tools/bootstrap.sh test   same set-up, then the whole test suite under ctest
#   tools/bootstrap.sh deps   only install the packages
# Environment: DNIE_BUILD_DIR (default build/release), DNIE_JOBS (default: nproc),
#              DNIE_SKIP_APT=1 to skip package installation.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
mode=${1:-demo}
build_dir=${DNIE_BUILD_DIR:-build/release}
jobs=${DNIE_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian 12 packages the build, the tests and the tools need (libnss3-tools ... p11-kit: the
# desktop stacks the PKCS#11 module is tested with, ctest label "desktop").
packages=(
  g++ cmake ninja-build pkg-config git ca-certificates dpkg-dev
  libmbedtls-dev libssl-dev libcurl4-openssl-dev libfmt-dev doctest-dev nlohmann-json3-dev libcli11-dev
  zlib1g-dev libopenjp2-7-dev libjpeg-dev libpng-dev
  libpcsclite-dev pcscd pcsc-tools vsmartcard-vpcd libnfc-dev libnfc-bin
  libeac-dev opensc openssl libp11-kit-dev
  libnss3-tools gnutls-bin libengine-pkcs11-openssl python3-pykcs11 openssh-client p11-kit
  clang-14 libclang-rt-14-dev clang-format-14
)

install_packages() {
  [ "${DNIE_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { echo "bootstrap: all ${#packages[@]} packages present"; return 0; }
  echo "bootstrap: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install packages" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # Services must not auto-start from the package scripts (no systemd here anyway).
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure_and_build() {
  local preset=release
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    # -Werror is enforced by the dev preset (-O0); GCC 12 gives -O2 false positives (-Warray-bounds).
    # Release: no debug info in what is run or installed (RelWithDebInfo: the relwithdebinfo preset).
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build_dir" -j "$jobs"
}

case "$mode" in
  deps)
    install_packages ;;
  demo)
    install_packages
    configure_and_build
    if [ -x "$build_dir/tools/dnie/dnie" ]; then
      "$build_dir/tools/dnie/dnie" read --reader virtual --can 123456
    else
      echo "bootstrap: the dnie CLI is not built yet; showing the published-vector checks instead"
      "$build_dir/tools/vectors/dnie-vectors" "$here/tests/data/vectors"
    fi ;;
  test)
    install_packages
    configure_and_build
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" ;;
  *)
    echo "usage: tools/bootstrap.sh demo|test|deps" >&2
    exit 2 ;;
esac
