#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: run.sh <build-dir> <this-dir> <work-dir>
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
echo "installed into $prefix"

# 1. CMake consumer through find_package(dnie)
cmake -S "$src/cmake_consumer" -B "$work/cmake_consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log"
cmake --build "$work/cmake_consumer" >>"$work/consumer.log"
"$work/cmake_consumer/consumer"

# 2. C consumer through pkg-config dnie
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || echo)/pkgconfig"
cc -std=c99 -Wall -Werror "$src/c_consumer/main.c" $(pkg-config --cflags --libs dnie) -o "$work/c_consumer"
LD_LIBRARY_PATH="$(pkg-config --variable=libdir dnie)" "$work/c_consumer"
echo "packaging: find_package(dnie) and pkg-config dnie both work"
