#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: subdir.sh <source-dir> <this-dir> <work-dir> <c-compiler> <c++-compiler>
# Builds tests/packaging/subdir_consumer: a project that adds the SDK's source tree with
# add_subdirectory(... EXCLUDE_FROM_ALL) and links dnie::card and the C library (dnie::c).
set -euo pipefail
srcdir=$1 here=$2 work=$3 cc=$4 cxx=$5
rm -rf "$work" && mkdir -p "$work"
cmake -S "$here/subdir_consumer" -B "$work" -G Ninja -DDNIE_SOURCE_DIR="$srcdir" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log" || {
  cat "$work/configure.log"
  exit 1
}
cmake --build "$work" -j2 --target consumer c_consumer >"$work/build.log" || {
  tail -50 "$work/build.log"
  exit 1
}
"$work/consumer"
"$work/c_consumer"
echo "packaging: add_subdirectory(dnie) works"
